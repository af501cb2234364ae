"""Where to look: the weakest criteria, and the scores by service field.

A service field is a domain like any other: the same cells, weights and strata
as the scores they break down (:class:`~surveyapp.analysis.scores.Scores`),
estimated with the fields as leaf domains, and published by the same rules.
"""

from __future__ import annotations

from typing import cast

from surveyapp.analysis.publication import published
from surveyapp.analysis.scores import DEFAULT_COMPOSITE_METHOD, Scores
from surveyapp.analysis.weighting import service_field_codes
from surveyapp.scoring import IntervalMethod, ResultRow, estimate_totals

WEAKEST = 3


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
    results = estimate_totals(
        totals,
        totals.leaf_domains(include_all=False),
        method=cast(IntervalMethod, scores.method),
        level=scores.level,
        composite_method=DEFAULT_COMPOSITE_METHOD,
    )
    return [published(row) for row in results.rows()]
