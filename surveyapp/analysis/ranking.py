"""Rankings of agencies on the SIPAS index, with joint rank intervals.

THE ranking: the dashboard ranks an agency's children, the yearly report each
level of the tree, both through :func:`rank_agencies`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import cast

from surveyapp.analysis.publication import publishable
from surveyapp.analysis.scores import DEFAULT_COMPOSITE_METHOD, Scores, compute_scores
from surveyapp.extensions import db
from surveyapp.models import Agency
from surveyapp.scoring import IntervalMethod, ResultRow, rank_intervals
from surveyapp.scoring.intervals import composite_interval


@dataclass(frozen=True)
class RankedAgency:
    """One agency in a ranking table; `best`-`worst` is its rank interval.

    `questionnaire` names the version of `row` when it is not the page's: a unit
    whose counters all use another version is ranked on its own index.
    """

    code: str
    row: ResultRow | None
    best: int
    worst: int
    ranked: bool
    out_of: int
    response_rate: float | None
    questionnaire: str | None = None

    @property
    def label(self) -> str:
        return rank_label(self.best, self.worst, self.out_of) if self.ranked else "—"


@dataclass(frozen=True)
class _UnitIndex:
    row: ResultRow | None
    response_rate: float | None
    questionnaire: str | None


def rank_label(best: int, worst: int, out_of: int) -> str:
    """A rank interval as shown everywhere: "3 / 12" or "3–7 / 12"."""
    if best == worst:
        return f"{best} / {out_of}"
    return f"{best}–{worst} / {out_of}"


def rank_agencies(scores: Scores, codes: Sequence[str]) -> list[RankedAgency]:
    """The agencies `codes` ranked against each other on the SIPAS index.

    Each on its own index: from `scores` when the unit answered the page's
    questionnaire, else from the version its responses used, so no unit with
    responses drops out. Joint rank intervals (Klein, Wright & Wieczorek 2020)
    among the agencies whose index may be published; the others are listed
    unranked, after them. Ranked first, then by estimate (highest first), then
    by code.
    """
    if not codes:
        return []
    units = [_unit_index(scores, code) for code in codes]
    if all(unit.row is None for unit in units):
        return []
    intervals = rank_intervals(
        [_value(unit.row, "estimate") for unit in units],
        [_value(unit.row, "se") for unit in units],
        [_value(unit.row, "df") for unit in units],
        scores.level,
        [publishable(unit.row) for unit in units],
        ns=[_value(unit.row, "n") for unit in units],
        interval=partial(composite_interval, DEFAULT_COMPOSITE_METHOD),
    )
    table = [
        RankedAgency(
            code,
            unit.row,
            int(intervals.best[i]),
            int(intervals.worst[i]),
            bool(intervals.ranked[i]),
            intervals.n_ranked,
            unit.response_rate,
            unit.questionnaire,
        )
        for i, (code, unit) in enumerate(zip(codes, units, strict=True))
    ]
    return sorted(table, key=_ranking_order)


def _unit_index(scores: Scores, code: str) -> _UnitIndex:
    """`code`'s index row, from the version its responses used if not the page's."""
    row = scores.row(code, "index", "SIPAS")
    if row is not None:
        return _UnitIndex(row, scores.response_rate(code), None)
    node = scores.agencies[code]
    subtree = scores.tree.subtree(node.id)
    in_use = scores.data.in_use(subtree)
    if not in_use:
        return _UnitIndex(None, scores.response_rate(code), None)
    questionnaire = in_use[0][0]
    agency = db.session.get(Agency, node.id)
    if agency is None:
        raise LookupError(code)
    method = cast(IntervalMethod, scores.method)
    own = compute_scores(
        agency, scores.period, questionnaire, method, scores.level, data=scores.data
    )
    return _UnitIndex(
        own.row(code, "index", "SIPAS"), own.response_rate(code), questionnaire.code
    )


def _value(row: ResultRow | None, key: str) -> float:
    value = row[key] if row is not None else None  # type: ignore[literal-required]
    return float("nan") if value is None else float(value)


def _ranking_order(entry: RankedAgency) -> tuple[bool, float, str]:
    estimate = entry.row["estimate"] if entry.row is not None else None
    return (not entry.ranked, -(estimate or 0.0), entry.code)


def rank_children(scores: Scores) -> list[RankedAgency]:
    """The root's children ranked: the dashboard's ranking table."""
    root = scores.tree.nodes[scores.root.id]
    children = scores.tree.children.get(root.id, [])
    return rank_agencies(scores, [scores.tree.code(child) for child in children])


def rank_levels(scores: Scores) -> list[list[RankedAgency]]:
    """One ranking per level of the tree below the root, deepest last."""
    levels: dict[int, list[str]] = {}
    for node, depth in scores.tree.walk(scores.root.id):
        if depth:
            levels.setdefault(depth, []).append(node.code)
    return [rank_agencies(scores, levels[depth]) for depth in sorted(levels)]
