"""Synthetic responses for the demo, drawn with numpy: a million take seconds.

Every counter's responses come from its unit's quality, the counter's desk, a
slow improvement over two years and each person's mood, through a latent scale
cut into the five answers. Arrays only: the rows to store are made from them in
batches (:mod:`surveyapp.demo.bulk`), so memory stays small at any volume.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from surveyapp.demo.province import COMMENTS_HIGH, COMMENTS_LOW, Unit

DAYS = 730
# Cut points on the latent satisfaction scale between answers 1|2|3|4|5.
CUTS = np.array([-2.2, -1.2, -0.2, 1.3])
NO_OPINION_SHARE = 0.06
COMMENT_SHARE = 0.08
ENGLISH_SHARE = 0.03
RECEIPT_SHARE = 0.125
# Below this latent mood a comment is drawn from the complaints.
UNHAPPY_BELOW = 0.6
NO_ANSWER = 0  # in `answers`; stored as NULL ("no opinion / not applicable")


@dataclass(frozen=True)
class Desk:
    """A counter to simulate: where it is and what its unit is like."""

    unit: Unit
    counter_id: int
    point_id: int
    questionnaire_id: int
    factor_of_item: list[int]  # factor position (0-based) of each criterion
    field_ids: list[int]


@dataclass(frozen=True)
class DeskResponses:
    """One counter's simulated responses, arrays of length n (answers n x C)."""

    desk: Desk
    submitted_at: NDArray[np.datetime64]
    field_ids: NDArray[np.int64]
    english: NDArray[np.bool_]
    answers: NDArray[np.int8]
    comments: list[str | None]
    by_receipt: NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.field_ids)


def simulate_desks(
    desks: list[Desk], response_count: int, seed: int, now: datetime | None = None
) -> list[DeskResponses]:
    """About `response_count` responses shared among `desks` by their unit's traffic."""
    rng = np.random.default_rng(seed)
    end = (now or datetime.now(UTC)).replace(microsecond=0)
    total_traffic = sum(desk.unit.traffic for desk in desks)
    # Questionnaire versions differ in factors; units differ item by item.
    factor_effects: dict[int, NDArray[np.float64]] = {}
    item_effects: dict[str, NDArray[np.float64]] = {}
    simulated = []
    for desk in desks:
        count = round(response_count * desk.unit.traffic / total_traffic)
        factors = factor_effects.setdefault(
            desk.questionnaire_id,
            rng.normal(0, 0.35, size=max(desk.factor_of_item) + 1),
        )
        items = item_effects.setdefault(
            desk.unit.short, rng.normal(0, 0.25, size=len(desk.factor_of_item))
        )
        days_ago, submitted = _office_times(rng, end, count)
        # Service slowly improved: +0.3 on the latent scale over two years.
        trend = 0.3 * (1 - days_ago / DAYS)
        mood = (
            desk.unit.quality + rng.normal(0, 0.2) + trend + rng.normal(0, 0.9, count)
        )
        simulated.append(
            DeskResponses(
                desk=desk,
                submitted_at=submitted,
                field_ids=rng.choice(np.array(desk.field_ids), size=count),
                english=rng.random(count) < ENGLISH_SHARE,
                answers=_answers(rng, mood, factors, desk.factor_of_item, items),
                comments=_comments(rng, mood),
                by_receipt=rng.random(count) < RECEIPT_SHARE,
            )
        )
    return simulated


def _office_times(
    rng: np.random.Generator, end: datetime, count: int
) -> tuple[NDArray[np.float64], NDArray[np.datetime64]]:
    """Days ago and UTC times of `count` visits on weekdays, 07:30-17:00 local."""
    weekdays = np.array(
        [d for d in range(1, DAYS + 1) if (end - timedelta(days=d)).weekday() < 5]
    )
    days_ago = rng.choice(weekdays, size=count)
    midnight = np.datetime64(end.date(), "s") - days_ago.astype("timedelta64[D]")
    # 07:30-17:00 in Vietnam (UTC+7) is 00:30-10:00 UTC.
    seconds = rng.integers(30 * 60, 600 * 60, size=count)
    return days_ago.astype(np.float64), midnight + seconds.astype("timedelta64[s]")


def _answers(
    rng: np.random.Generator,
    mood: NDArray[np.float64],
    factor_effects: NDArray[np.float64],
    factor_of_item: list[int],
    item_effects: NDArray[np.float64],
) -> NDArray[np.int8]:
    """Answers 1..5 (0 for no opinion), n x C, from each person's latent mood."""
    shift = factor_effects[np.array(factor_of_item)] + item_effects
    latent = mood[:, None] + shift[None, :]
    latent += rng.normal(0, 0.7, size=latent.shape)
    answers: NDArray[np.int8] = (1 + (latent[:, :, None] > CUTS).sum(axis=2)).astype(
        np.int8
    )
    answers[rng.random(answers.shape) < NO_OPINION_SHARE] = NO_ANSWER
    return answers


def _comments(rng: np.random.Generator, mood: NDArray[np.float64]) -> list[str | None]:
    """A comment for about one person in twelve: a complaint if unhappy."""
    comments: list[str | None] = [None] * len(mood)
    for i in np.flatnonzero(rng.random(len(mood)) < COMMENT_SHARE).tolist():
        pool = COMMENTS_LOW if mood[i] < UNHAPPY_BELOW else COMMENTS_HIGH
        comments[i] = pool[int(rng.integers(len(pool)))]
    return comments
