"""Where to look: the weakest criteria, and the scores by service field.

A service field is a domain like any other: the same cells, weights and strata
as the scores they break down (:class:`~surveyapp.analysis.scores.Scores`),
estimated with the fields as leaf domains, and published by the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
from sqlalchemy import select

from surveyapp.analysis.cells import CellLayout, CellSums
from surveyapp.analysis.publication import published
from surveyapp.analysis.rows import load_rows
from surveyapp.analysis.scores import DEFAULT_COMPOSITE_METHOD, Scores
from surveyapp.analysis.weighting import service_field_codes, weigh_groups
from surveyapp.extensions import db
from surveyapp.models import Counter
from surveyapp.scoring import CellTotals, IntervalMethod, ResultRow, estimate_totals

WEAKEST = 3
# Counters sit below the service points the cells are kept for, so their
# breakdown reads the responses: offered up to this many (a commune's year).
BY_COUNTER_MAX_RESPONSES = 50_000
# The domain of responses that came through no counter (none today).
NO_COUNTER = "—"


def weakest_criteria(
    scores: Scores, domain: str, count: int = WEAKEST
) -> list[ResultRow]:
    """The `count` criteria of `domain` with the lowest published estimates."""
    shown = [
        row
        for row in scores.domain_rows(domain)
        if row["level"] == "criterion" and row["estimate"] is not None
    ]
    return sorted(shown, key=lambda row: (row["estimate"], row["code"]))[:count]


def by_field(scores: Scores) -> list[ResultRow]:
    """Every published row of each service field over the scores' subtree
    (domain: the field's code), fields in code order."""
    if scores.results is None or scores.weighting is None:
        return []
    codes = service_field_codes()
    totals = scores.sums.estimable(
        [codes[f] for f in scores.sums.field_id.tolist()],
        scores.weighting.strata,
        scores.weighting.weights,
    )
    return _domain_rows(scores, totals)


def by_counter(scores: Scores) -> list[ResultRow] | None:
    """Every published row of each counter of the scores' subtree (domain: the
    counter's code); None when the subtree has too many responses to read."""
    found = counter_breakdown(scores)
    return None if found is None else found.rows


@dataclass(frozen=True)
class CounterBreakdown:
    """The rows by counter (see :func:`by_counter`) and the counters' names by code."""

    rows: list[ResultRow]
    names: dict[str, str]


def counter_breakdown(scores: Scores) -> CounterBreakdown | None:
    """:func:`by_counter`'s rows with the counters' names, read in the same query."""
    if scores.results is None or scores.weighting is None:
        return CounterBreakdown([], {})
    if scores.n_responses > BY_COUNTER_MAX_RESPONSES:
        return None
    subtree = scores.tree.subtree(scores.root.id)
    rows = load_rows(set(subtree), scores.questionnaire, scores.period)
    counters = np.array([c or 0 for c in rows.counter_ids], dtype=np.int64)
    # Keyed (service point, field, counter): a (counter, field) group is
    # weighted as its service point's field, exactly as on the page.
    cells = CellSums.from_answers(
        CellLayout.of(scores.questionnaire),
        (np.array(rows.agency_ids), np.array(rows.field_ids), counters),
        rows.receipt,
        rows.answers,
    )
    weighting = weigh_groups(
        cells.agency_id,
        cells.field_id,
        cells.n,
        scores.period.start,
        scores.period.end,
        scores.data.dossiers,
    )
    ids = cells.month.tolist()
    found = counter_codes(set(ids))
    labels = [found[c][0] if c in found else NO_COUNTER for c in ids]
    totals = cells.estimable(labels, weighting.strata, weighting.weights)
    return CounterBreakdown(_domain_rows(scores, totals), dict(found.values()))


def counter_codes(ids: set[int]) -> dict[int, tuple[str, str]]:
    """The (code, name) of the counters `ids` (not every counter of the province)."""
    found = select(Counter.id, Counter.code, Counter.name).where(Counter.id.in_(ids))
    return {id_: (code, name) for id_, code, name in db.session.execute(found)}


def _domain_rows(scores: Scores, totals: CellTotals) -> list[ResultRow]:
    results = estimate_totals(
        totals,
        totals.leaf_domains(include_all=False),
        method=cast(IntervalMethod, scores.method),
        level=scores.level,
        composite_method=DEFAULT_COMPOSITE_METHOD,
    )
    return [published(row) for row in results.rows()]
