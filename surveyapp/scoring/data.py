"""The survey data the estimators work on, validated once.

Missing-value policy: an unanswered criterion ("not applicable", "no answer") is
stored as 0 in ``answers``; it is never a 1. A response that skipped a criterion
still belongs to its domains and to its stratum, so it still counts in the
stratum's number of PSUs; it only drops out of that criterion's numerator and
denominator.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Criterion columns look like ``F3.2``: factor 3, criterion 2.
CRITERION_CODE = re.compile(r"^F([0-9]+)\.([0-9]+)$")

MISSING_ANSWER = 0
LOWEST_ANSWER = 1
HIGHEST_ANSWER = 5
#: An answer of 4 ("satisfied") or 5 ("very satisfied") counts as satisfied.
SATISFIED_FROM = 4

# Use a dense table of keys instead of sorting when it is at most this many
# times larger than the number of keys: a bincount over the table costs less
# than np.unique's sort.
_DENSE_TABLE_FACTOR = 8


def criterion_sort_key(code: str) -> tuple[int, int]:
    """Order ``F<factor>.<criterion>`` codes numerically (F2.10 after F2.9)."""
    match = CRITERION_CODE.match(code)
    if match is None:
        raise ValueError(
            f"criterion code {code!r} is not of the form F<factor>.<criterion>"
        )
    return int(match.group(1)), int(match.group(2))


def factor_of_code(code: str) -> str:
    """The factor code (``F3``) of a criterion code (``F3.2``)."""
    criterion_sort_key(code)
    return code.split(".", 1)[0]


class Criteria(Protocol):
    """What composites and results need to know of the criteria.

    ``criterion_codes`` (C,) in numerical order, ``factor_codes`` (F,) and
    ``factor_of_criterion`` int64 (C,), the factor index of each criterion.
    :class:`SurveyData` and :class:`~surveyapp.scoring.totals.CellTotals` are
    both ``Criteria``.
    """

    @property
    def criterion_codes(self) -> tuple[str, ...]: ...

    @property
    def factor_codes(self) -> tuple[str, ...]: ...

    @property
    def factor_of_criterion(self) -> NDArray[np.int64]: ...

    @property
    def n_criteria(self) -> int: ...


@dataclass(frozen=True, eq=False)
class CriterionLayout:
    """Criterion codes put in numerical order, and their factors.

    ``order``: the given columns in numerical order of their codes (column j of
    the result is given column ``order[j]``); the other fields are those of
    :class:`Criteria`.
    """

    order: tuple[int, ...]
    criterion_codes: tuple[str, ...]
    factor_codes: tuple[str, ...]
    factor_of_criterion: NDArray[np.int64]


def criterion_layout(criterion_codes: Sequence[str]) -> CriterionLayout:
    """Order ``F<factor>.<criterion>`` codes numerically and find their factors.

    Raises ``ValueError`` on a malformed or repeated code.
    """
    codes = [str(code) for code in criterion_codes]
    if len(set(codes)) != len(codes):
        raise ValueError("criterion codes must be distinct")
    order = sorted(range(len(codes)), key=lambda j: criterion_sort_key(codes[j]))
    sorted_codes = tuple(codes[j] for j in order)
    factor_labels = [factor_of_code(code) for code in sorted_codes]
    factor_codes = tuple(dict.fromkeys(factor_labels))
    factor_index = np.array(
        [factor_codes.index(label) for label in factor_labels], dtype=np.int64
    )
    return CriterionLayout(tuple(order), sorted_codes, factor_codes, factor_index)


def compact_pairs(
    major: NDArray[np.int64], minor: NDArray[np.int64], n_minor: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Distinct ``major * n_minor + minor`` keys (sorted) and each pair's index.

    Shapes: ``major``, ``minor`` (M,) -> keys (K,), index (M,). Both must be
    non-negative and ``minor < n_minor``.
    """
    keys = major * np.int64(n_minor) + minor
    table_size = (int(major.max()) + 1 if major.size else 0) * n_minor
    if table_size <= _DENSE_TABLE_FACTOR * keys.size + 1_000_000:
        present = np.bincount(keys, minlength=table_size) > 0
        position = np.cumsum(present, dtype=np.int64) - 1
        return np.flatnonzero(present).astype(np.int64), position[keys]
    unique_keys, index = np.unique(keys, return_inverse=True)
    return unique_keys.astype(np.int64), index.astype(np.int64).reshape(-1)


def encode_labels(labels: ArrayLike) -> tuple[NDArray[np.int64], tuple[str, ...]]:
    """Turn labels of any kind into integer codes ``0..k-1`` and the sorted labels.

    Shapes: ``labels`` (n,) -> codes (n,), and k distinct labels as strings.
    Integer labels are sorted numerically, others as strings (code points).
    """
    as_array = np.asarray(labels)
    if as_array.ndim != 1:
        raise ValueError("labels must be one-dimensional")
    if np.issubdtype(as_array.dtype, np.integer) and as_array.size:
        low = int(as_array.min())
        span = int(as_array.max()) - low + 1
        if span <= 4 * as_array.size + 1_000_000:
            # A table lookup instead of a sort: linear time for compact ids.
            shifted = as_array.astype(np.int64) - low
            present = np.bincount(shifted, minlength=span) > 0
            position = np.cumsum(present, dtype=np.int64) - 1
            values = np.flatnonzero(present) + low
            return position[shifted], tuple(str(v) for v in values.tolist())
        uniques, codes = np.unique(as_array, return_inverse=True)
        return codes.astype(np.int64).reshape(-1), tuple(str(v) for v in uniques)
    # Text: factorise with a dict (linear), then renumber in sorted order.
    code_of: dict[str, int] = {}
    first_codes = np.fromiter(
        (code_of.setdefault(str(value), len(code_of)) for value in as_array.tolist()),
        dtype=np.int64,
        count=as_array.size,
    )
    labels = list(code_of)
    order = sorted(range(len(labels)), key=labels.__getitem__)
    sorted_code = np.empty(len(labels), dtype=np.int64)
    sorted_code[order] = np.arange(len(labels), dtype=np.int64)
    return sorted_code[first_codes], tuple(labels[i] for i in order)


@dataclass(frozen=True, eq=False)
class SurveyData:
    """Answers, weights and design of one survey, validated.

    Shapes (n = responses, C = criteria):

    - ``answers``: int8 (n, C); 1..5, or 0 where the criterion was not answered.
    - ``criterion_codes``: C codes ``F<factor>.<criterion>``, ordered numerically
      (factor, then criterion); the order of the columns of ``answers``.
    - ``factor_codes``: the F distinct factors (``F1``, ``F2``...) in order, and
      ``factor_of_criterion``: int64 (C,), the factor index of each criterion.
    - ``weights``: float64 (n,), finite and positive (sampling weights).
    - ``strata``: int64 (n,), stratum codes 0..H-1 with labels ``stratum_labels``.
    - ``psu``: int64 (n,) cluster codes (primary sampling units, e.g. service
      point x day), each nested in one stratum; ``None`` means each response is
      its own PSU.
    - ``fpc``: float64 (n,) population number of PSUs in the response's stratum
      (constant within a stratum, at least the sampled number), for a finite
      population correction ``(N_h - n_h) / N_h``; ``None`` means sampling with
      replacement (no correction), as in the reference.

    Every stratum must hold at least two PSUs: with one, the stratum's variance
    cannot be estimated (R's ``survey`` fails there too, by default).

    Build it with :meth:`from_arrays`, which accepts labels of any kind.
    """

    answers: NDArray[np.int8]
    criterion_codes: tuple[str, ...]
    factor_codes: tuple[str, ...]
    factor_of_criterion: NDArray[np.int64]
    weights: NDArray[np.float64]
    strata: NDArray[np.int64]
    stratum_labels: tuple[str, ...]
    psu: NDArray[np.int64] | None = None
    fpc: NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        self._validate()

    @property
    def n_responses(self) -> int:
        """Number of responses (rows of ``answers``)."""
        return int(self.answers.shape[0])

    @property
    def n_criteria(self) -> int:
        """Number of criteria (columns of ``answers``)."""
        return int(self.answers.shape[1])

    @classmethod
    def from_arrays(
        cls,
        answers: ArrayLike,
        criterion_codes: Sequence[str],
        weights: ArrayLike,
        strata: ArrayLike,
        psu: ArrayLike | None = None,
        fpc: ArrayLike | None = None,
    ) -> SurveyData:
        """Validate and encode raw arrays.

        ``answers`` (n, C) holds 1..5 and, for "not answered", 0 or NaN (a float
        array). Columns are reordered so that criteria are in numerical order.
        ``strata`` and ``psu`` are labels of any kind (strings, integers).
        ``fpc`` is the population number of PSUs of each response's stratum.
        Raises ``ValueError`` naming what is wrong.
        """
        strata_codes, stratum_labels = encode_labels(strata)
        psu_codes = None if psu is None else encode_labels(psu)[0]
        return cls.from_codes(
            answers=answers,
            criterion_codes=criterion_codes,
            weights=weights,
            strata=strata_codes,
            stratum_labels=stratum_labels,
            psu=psu_codes,
            fpc=fpc,
        )

    @classmethod
    def from_codes(
        cls,
        answers: ArrayLike,
        criterion_codes: Sequence[str],
        weights: ArrayLike,
        strata: NDArray[np.int64],
        stratum_labels: Sequence[str],
        psu: NDArray[np.int64] | None = None,
        fpc: ArrayLike | None = None,
    ) -> SurveyData:
        """Like :meth:`from_arrays`, with strata (and PSUs) already integer codes.

        ``strata`` (n,) indexes ``stratum_labels``; ``psu`` (n,) holds any
        integer ids.
        """
        layout = criterion_layout(criterion_codes)
        answer_array = answers_as_int8(answers, len(layout.order))
        if layout.order != tuple(range(len(layout.order))):
            answer_array = answer_array[:, layout.order]
        return cls(
            answers=np.ascontiguousarray(answer_array),
            criterion_codes=layout.criterion_codes,
            factor_codes=layout.factor_codes,
            factor_of_criterion=layout.factor_of_criterion,
            weights=np.asarray(weights, dtype=np.float64),
            strata=np.asarray(strata, dtype=np.int64),
            stratum_labels=tuple(stratum_labels),
            psu=None if psu is None else np.asarray(psu, dtype=np.int64),
            fpc=None if fpc is None else np.asarray(fpc, dtype=np.float64),
        )

    def psus_per_stratum(self) -> NDArray[np.int64]:
        """Number of sampled PSUs in each stratum, shape (H,)."""
        n_strata = len(self.stratum_labels)
        if self.psu is None:
            return np.bincount(self.strata, minlength=n_strata).astype(np.int64)
        first_of_psu = np.unique(self.psu, return_index=True)[1]
        return np.bincount(self.strata[first_of_psu], minlength=n_strata).astype(
            np.int64
        )

    def _validate(self) -> None:
        answers = self.answers
        if answers.ndim != 2 or answers.dtype != np.int8:
            raise ValueError("answers must be an int8 array of shape (n, C)")
        n, n_criteria = answers.shape
        if n == 0:
            raise ValueError("the survey has no responses")
        if n_criteria == 0 or len(self.criterion_codes) != n_criteria:
            raise ValueError(
                "there must be one criterion code per column of answers "
                f"({len(self.criterion_codes)} codes, {n_criteria} columns)"
            )
        bad = (answers != MISSING_ANSWER) & (
            (answers < LOWEST_ANSWER) | (answers > HIGHEST_ANSWER)
        )
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise ValueError(
                f"answer {int(answers[row, col])} in row {int(row)}, criterion "
                f"{self.criterion_codes[col]} is outside 1..5 (0 means missing)"
            )
        if self.factor_of_criterion.shape != (n_criteria,):
            raise ValueError("factor_of_criterion must have one entry per criterion")
        for name, array in (("weights", self.weights), ("strata", self.strata)):
            if array.shape != (n,):
                raise ValueError(f"{name} must have shape ({n},), not {array.shape}")
        finite_positive = np.isfinite(self.weights) & (self.weights > 0)
        if not finite_positive.all():
            row = int(np.argmin(finite_positive))
            raise ValueError(
                f"weight {self.weights[row]!r} in row {row} is not a positive number"
            )
        n_strata = len(self.stratum_labels)
        if self.strata.min() < 0 or self.strata.max() >= n_strata:
            raise ValueError("strata codes must index stratum_labels")
        if self.psu is not None:
            self._validate_psu(self.psu, n)
        psu_counts = self.psus_per_stratum()
        check_psus_per_stratum(
            psu_counts, self.stratum_labels, "response" if self.psu is None else "PSU"
        )
        if self.fpc is not None:
            self._validate_fpc(self.fpc, n, psu_counts)

    def _validate_psu(self, psu: NDArray[np.int64], n: int) -> None:
        if psu.shape != (n,):
            raise ValueError(f"psu must have shape ({n},), not {psu.shape}")
        # A PSU nested in strata has a single stratum.
        order = np.lexsort((self.strata, psu))
        psu_sorted = psu[order]
        strata_sorted = self.strata[order]
        same_psu = psu_sorted[1:] == psu_sorted[:-1]
        crossing = same_psu & (strata_sorted[1:] != strata_sorted[:-1])
        if crossing.any():
            row = int(order[1:][crossing][0])
            raise ValueError(
                f"the PSU of row {row} lies in more than one stratum; "
                "PSUs must be nested in strata"
            )

    def _validate_fpc(
        self, fpc: NDArray[np.float64], n: int, psu_counts: NDArray[np.int64]
    ) -> None:
        if fpc.shape != (n,):
            raise ValueError(f"fpc must have shape ({n},), not {fpc.shape}")
        if not np.isfinite(fpc).all():
            raise ValueError("fpc must be finite")
        n_strata = len(self.stratum_labels)
        low = np.full(n_strata, np.inf)
        high = np.full(n_strata, -np.inf)
        np.minimum.at(low, self.strata, fpc)
        np.maximum.at(high, self.strata, fpc)
        varying = np.flatnonzero(low != high)
        if varying.size:
            raise ValueError(
                f"fpc varies within stratum {self.stratum_labels[varying[0]]!r}"
            )
        too_small = np.flatnonzero(low < psu_counts)
        if too_small.size:
            h = int(too_small[0])
            raise ValueError(
                f"fpc {low[h]!r} of stratum {self.stratum_labels[h]!r} is smaller "
                f"than its {int(psu_counts[h])} sampled PSUs"
            )

    def finite_population_factors(self) -> NDArray[np.float64]:
        """``(N_h - n_h) / N_h`` per stratum, shape (H,); ones without an fpc."""
        psu_counts = self.psus_per_stratum().astype(np.float64)
        if self.fpc is None:
            return np.ones_like(psu_counts)
        population = np.zeros_like(psu_counts)
        population[self.strata] = self.fpc
        return (population - psu_counts) / population


def check_psus_per_stratum(
    psu_counts: NDArray[np.int64] | NDArray[np.float64],
    stratum_labels: Sequence[str],
    unit: str,
) -> None:
    """Raise ``ValueError`` if a stratum has a single PSU; ``psu_counts`` (H,)."""
    single = np.flatnonzero(psu_counts == 1)
    if single.size:
        raise ValueError(
            f"stratum {stratum_labels[single[0]]!r} has a single {unit}; "
            "its variance cannot be estimated (merge it with another stratum)"
        )


def answers_as_int8(answers: ArrayLike, n_criteria: int) -> NDArray[np.int8]:
    """Answers (n, C) as int8, 0 for not answered (0 or NaN given).

    Raises ``ValueError`` on a wrong shape or an answer outside 1..5.
    """
    array = np.asarray(answers)
    if array.ndim != 2 or array.shape[1] != n_criteria:
        raise ValueError(
            f"answers must have shape (n, {n_criteria}), not {array.shape}"
        )
    if array.dtype == np.int8:
        return array
    if np.issubdtype(array.dtype, np.floating):
        missing = np.isnan(array)
        filled = np.where(missing, 0.0, array)
        if (filled != np.round(filled)).any():
            raise ValueError("answers must be whole numbers 1..5 (NaN = missing)")
        array = filled
    elif not np.issubdtype(array.dtype, np.integer):
        raise ValueError("answers must be numbers 1..5 (0 or NaN = missing)")
    out_of_range = (array != MISSING_ANSWER) & (
        (array < LOWEST_ANSWER) | (array > HIGHEST_ANSWER)
    )
    if out_of_range.any():
        row, col = np.argwhere(out_of_range)[0]
        raise ValueError(
            f"answer {array[row, col]!r} in row {int(row)}, column {int(col)} "
            "is outside 1..5 (0 or NaN means missing)"
        )
    return array.astype(np.int8)
