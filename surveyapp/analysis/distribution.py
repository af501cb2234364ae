"""The answer distribution: how many responses gave each answer to each criterion.

Counted from the same cells as the scores (their ``answers`` counts), so that
a page shows it without reading a response more. Unweighted: these are the
answers as given, beside the weighted indices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from surveyapp.analysis.cells import CellSums
from surveyapp.scoring.data import HIGHEST_ANSWER, LOWEST_ANSWER

ANSWER_VALUES = tuple(range(LOWEST_ANSWER, HIGHEST_ANSWER + 1))


@dataclass(frozen=True)
class AnswerDistribution:
    """One criterion's answers: counts of 1..5, and "no opinion" (the
    responses that did not rate it: stored empty)."""

    code: str
    counts: tuple[int, ...]
    no_opinion: int

    @property
    def responses(self) -> int:
        return sum(self.counts) + self.no_opinion

    @property
    def shares(self) -> tuple[float, ...]:
        """The shares of 1..5 then of "no opinion", of every response."""
        total = self.responses
        every = (*self.counts, self.no_opinion)
        return tuple(count / total if total else 0.0 for count in every)

    def as_json(self) -> dict[str, Any]:
        shares = self.shares
        return {
            "code": self.code,
            "responses": self.responses,
            "counts": dict(zip(map(str, ANSWER_VALUES), self.counts, strict=True)),
            "no_opinion": self.no_opinion,
            "shares": dict(zip(map(str, ANSWER_VALUES), shares[:-1], strict=True)),
            "no_opinion_share": shares[-1],
        }


def answer_distribution(sums: CellSums) -> list[AnswerDistribution]:
    """Every criterion of `sums`' layout (codes F<factor>.<item>), over all of
    its cells."""
    counts = sums.answers.sum(axis=0)  # (5, C)
    responses = sums.n_responses
    return [
        AnswerDistribution(
            code,
            tuple(int(count) for count in counts[:, c]),
            responses - int(counts[:, c].sum()),
        )
        for c, code in enumerate(sums.layout.columns)
    ]
