"""The headline over every questionnaire version: pooled factors and index.

A subtree whose service points use different versions (sipas-2017 and
sipas-2023) gets, beside its page version's scores, factor and index estimates
over all its responses: all versions' cells are weighted together (one
post-stratification to the dossier counts), then pooled through the factor
correspondence of ``surveyapp/data/factor_correspondence.json`` by
:func:`surveyapp.scoring.estimate_pooled_totals`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from surveyapp.analysis.cells import CellLayout, CellSums
from surveyapp.analysis.prepared import PreparedData
from surveyapp.analysis.publication import published
from surveyapp.analysis.scores import (
    DEFAULT_COMPOSITE_METHOD,
    DEFAULT_LEVEL,
    DEFAULT_METHOD,
)
from surveyapp.analysis.weighting import weigh_cells
from surveyapp.core.tree import agency_tree
from surveyapp.data import FactorCorrespondence, factor_correspondence
from surveyapp.models import Agency
from surveyapp.scoring import (
    Correspondence,
    ResultRow,
    Results,
    estimate_pooled_totals,
    pooled_leaf_domains,
)


@dataclass(frozen=True)
class PooledScores:
    """Pooled rows of a subtree, and the versions (code, responses) pooled."""

    versions: list[tuple[str, int]]
    results: Results
    correspondence: FactorCorrespondence
    notes: list[str] = field(default_factory=list)

    @cached_property
    def _rows(self) -> dict[tuple[str, str], ResultRow]:
        return {
            (row["domain"], row["code"]): published(row) for row in self.results.rows()
        }

    def row(self, domain: str, code: str) -> ResultRow | None:
        """A pooled factor (by its pooled code) or the index ("SIPAS"), as shown."""
        return self._rows.get((domain, code))

    def factor_name(self, code: str, language: str) -> str:
        for factor in self.correspondence.factors:
            if factor.code == code:
                return factor.name_en if language == "en" else factor.name_vi
        raise LookupError(code)

    def published_rows(self) -> list[ResultRow]:
        return list(self._rows.values())


def pool_versions(root: Agency, data: PreparedData) -> PooledScores | None:
    """Pooled scores of `root`'s subtree over `data`'s period, or None when it
    used a single version (or one outside the correspondence)."""
    tree = agency_tree()
    subtree = np.array(sorted(tree.subtree(root.id)))
    in_use = data.in_use(subtree.tolist())
    pairs = factor_correspondence()
    by_code = {q.code: q for q, _count in in_use}
    if len(in_use) < 2 or not set(by_code) <= set(pairs.versions):
        return None
    versions = [code for code in pairs.versions if code in by_code]
    sums = []
    for code in versions:
        cells = data.of(by_code[code]).of_agencies(subtree)
        sums.append(CellSums.combine(CellLayout.of(by_code[code]), [cells], False))
    # One weighting of every version's responses: the versions' shares of a
    # domain are shares of its weighted responses.
    weighting = weigh_cells(sums, data.period.start, data.period.end, data.dossiers)
    ends = np.cumsum([len(part) for part in sums])
    parts = [
        part.estimable(
            [tree.code(a) for a in part.agency_id.tolist()],
            weighting.strata[end - len(part) : end],
            weighting.weights[end - len(part) : end],
        )
        for part, end in zip(sums, ends.tolist(), strict=True)
    ]
    correspondence = Correspondence(
        pairs.codes,
        tuple(tuple(f"F{p}" for p in pairs.positions(code)) for code in versions),
    )
    results = estimate_pooled_totals(
        parts,
        correspondence,
        pooled_leaf_domains(parts, tree.parents_within(root.id), include_all=False),
        DEFAULT_METHOD,
        DEFAULT_LEVEL,
        composite_method=DEFAULT_COMPOSITE_METHOD,
    )
    counted = [(code, sum(n for q, n in in_use if q.code == code)) for code in versions]
    return PooledScores(counted, results, pairs, list(weighting.notes))
