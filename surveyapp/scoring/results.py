"""The tidy table of estimates that :func:`surveyapp.scoring.estimate` returns."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, TypedDict

import numpy as np
from numpy.typing import NDArray

CRITERION: Final = "criterion"
FACTOR: Final = "factor"
INDEX: Final = "index"
#: Code of the overall index rows.
INDEX_CODE: Final = "SIPAS"

#: Output columns, in order; the first nine are the reference contract.
COLUMNS: Final[tuple[str, ...]] = (
    "domain",
    "level",
    "code",
    "n",
    "df",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n_eff",
    "flag",
    "flag_reasons",
    "mean_score",
)


class ResultRow(TypedDict):
    """One row of :class:`Results`; floats are ``None`` where undefined."""

    domain: str
    level: str
    code: str
    n: int
    df: int
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n_eff: float | None
    flag: str
    flag_reasons: str
    mean_score: float | None


@dataclass(frozen=True, eq=False)
class Results:
    """Estimates for every domain x (criterion, factor, index), R rows.

    Row order: for each domain in the order of the :class:`DomainSpec`, its
    criteria (numerical order), then its factors, then the ``SIPAS`` index.

    - ``domain``, ``level`` (``criterion``/``factor``/``index``), ``code``,
      ``flag``, ``flag_reasons``: object arrays of str (R,).
    - ``n``: int64 (R,), responses that answered the criterion (criterion rows)
      or all of the domain's responses (factor and index rows); ``df``: int64
      (R,), PSUs minus strata among those responses.
    - ``estimate``, ``se``, ``ci_low``, ``ci_high``: float64 (R,), fractions in
      [0, 1]; NaN only where there is no data (flag ``"no data"``).
    - ``n_eff``: float64 (R,), NCHS effective sample size
      ``min(n, estimate (1 - estimate) / se^2)`` of shares and of composites
      (``n`` where the estimate is 0 or 1 or se is 0); NaN where there is no
      data.
    - ``mean_score``: float64 (R,), the weighted mean answer rescaled to 0-100,
      ``(mean - 1) / 4 * 100`` (composites: the same mean of criteria as the
      estimate); NaN where there is no data.
    - ``method``, ``confidence``: the interval method of criterion rows and
      the level used; ``composite_method``: the interval method of factor and
      index rows (see :mod:`surveyapp.scoring.intervals`).
    """

    domain: NDArray[np.object_]
    level: NDArray[np.object_]
    code: NDArray[np.object_]
    n: NDArray[np.int64]
    df: NDArray[np.int64]
    estimate: NDArray[np.float64]
    se: NDArray[np.float64]
    ci_low: NDArray[np.float64]
    ci_high: NDArray[np.float64]
    n_eff: NDArray[np.float64]
    flag: NDArray[np.object_]
    flag_reasons: NDArray[np.object_]
    mean_score: NDArray[np.float64]
    method: str
    confidence: float
    composite_method: str = "logit"

    def __len__(self) -> int:
        return int(self.n.size)

    def rows(self) -> Iterator[ResultRow]:
        """Rows as dictionaries (NaN becomes ``None``), for templates and JSON."""
        # Whole columns to Python first: indexing numpy scalars one by one cost
        # seconds for the 94,000 rows of a national table.
        columns = zip(
            self.domain.tolist(),
            self.level.tolist(),
            self.code.tolist(),
            self.n.tolist(),
            self.df.tolist(),
            *(
                _maybe_all(values)
                for values in (self.estimate, self.se, self.ci_low, self.ci_high)
            ),
            _maybe_all(self.n_eff),
            self.flag.tolist(),
            self.flag_reasons.tolist(),
            _maybe_all(self.mean_score),
            strict=True,
        )
        for domain, level, code, n, df, *values, flag, reasons, mean in columns:
            estimate, se, ci_low, ci_high, n_eff = values
            yield ResultRow(
                domain=str(domain),
                level=str(level),
                code=str(code),
                n=int(n),
                df=int(df),
                estimate=estimate,
                se=se,
                ci_low=ci_low,
                ci_high=ci_high,
                n_eff=n_eff,
                flag=str(flag),
                flag_reasons=str(reasons),
                mean_score=mean,
            )

    def mask(
        self,
        *,
        domain: str | None = None,
        level: str | None = None,
        code: str | None = None,
    ) -> NDArray[np.bool_]:
        """Boolean (R,) selecting rows that match every given field."""
        selected = np.ones(len(self), dtype=bool)
        for column, wanted in (
            (self.domain, domain),
            (self.level, level),
            (self.code, code),
        ):
            if wanted is not None:
                selected &= column == wanted
        return selected


def _maybe_all(values: NDArray[np.float64]) -> list[float | None]:
    return [
        None if math.isnan(number) else number
        for number in values.astype(np.float64).tolist()
    ]
