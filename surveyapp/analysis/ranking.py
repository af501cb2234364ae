"""Rankings of agencies on the SIPAS index, with joint rank intervals.

THE ranking: the dashboard ranks an agency's children, the yearly report each
level of the tree, both through :func:`rank_agencies`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from surveyapp.analysis.scores import Scores
from surveyapp.scoring import ResultRow, rank_domains


@dataclass(frozen=True)
class RankedAgency:
    """One agency in a ranking table; `best`-`worst` is its rank interval."""

    code: str
    row: ResultRow | None
    best: int
    worst: int
    ranked: bool
    out_of: int
    response_rate: float | None

    @property
    def label(self) -> str:
        return rank_label(self.best, self.worst, self.out_of) if self.ranked else "—"


def rank_label(best: int, worst: int, out_of: int) -> str:
    """A rank interval as shown everywhere: "3 / 12" or "3–7 / 12"."""
    if best == worst:
        return f"{best} / {out_of}"
    return f"{best}–{worst} / {out_of}"


def rank_agencies(scores: Scores, codes: Sequence[str]) -> list[RankedAgency]:
    """The agencies `codes` ranked against each other on the SIPAS index.

    Joint rank intervals (Klein, Wright & Wieczorek 2020) among the agencies
    whose index is reliable enough to rank; the others are listed unranked, after
    them. Ranked first, then by estimate (highest first), then by code.
    """
    results = scores.results
    if results is None or not codes:
        return []
    others = tuple({str(d) for d in results.domain} - set(codes))
    names, intervals = rank_domains(results, level=scores.level, exclude=others)
    position = {name: i for i, name in enumerate(names)}
    table = []
    for code in codes:
        i = position.get(code)
        ranked = i is not None and bool(intervals.ranked[i])
        table.append(
            RankedAgency(
                code,
                scores.row(code, "index", "SIPAS"),
                int(intervals.best[i]) if ranked and i is not None else 0,
                int(intervals.worst[i]) if ranked and i is not None else 0,
                ranked,
                intervals.n_ranked,
                scores.response_rate(code),
            )
        )
    return sorted(table, key=_ranking_order)


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
