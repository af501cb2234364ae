"""Counters' activity: this month's responses, the last one, and silence.

A counter whose poster was torn off or whose tablet is off simply stops
receiving responses; nothing else says so. Every response counts here, flagged
or not: a bot still proves the QR code is reachable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, func, select

from surveyapp.core.time import Period, as_utc, local_today
from surveyapp.extensions import db
from surveyapp.models import Counter, Response
from surveyapp.models.base import utc_now


@dataclass(frozen=True)
class CounterActivity:
    """One counter's responses this local month and its last response (UTC)."""

    month_responses: int
    last_response: datetime | None
    silent: bool


def silent_days() -> int:
    """Days without a response after which an active counter is silent."""
    return int(current_app.config["SILENT_COUNTER_DAYS"])


def is_silent(counter: Counter, last_response: datetime | None, now: datetime) -> bool:
    """Whether an active counter has had no response for `silent_days()` days.

    A counter that never had one is silent once it is that old; a stopped
    counter is expected to be quiet and never is.
    """
    if not counter.active:
        return False
    since = last_response or counter.created_at
    return since is None or now - as_utc(since) >= timedelta(days=silent_days())


def counter_activity(counters: Sequence[Counter]) -> dict[int, CounterActivity]:
    """Each counter's activity by id, from one grouped query for them all."""
    if not counters:
        return {}
    today = local_today()
    month_start, _ = Period.month(today.year, today.month).utc_bounds()
    rows = db.session.execute(
        select(
            Response.counter_id,
            func.sum(case((Response.submitted_at >= month_start, 1), else_=0)),
            func.max(Response.submitted_at),
        )
        .where(Response.counter_id.in_([counter.id for counter in counters]))
        .group_by(Response.counter_id)
    ).all()
    found = {counter_id: (int(count), last) for counter_id, count, last in rows}
    now = utc_now()
    activity = {}
    for counter in counters:
        count, last = found.get(counter.id, (0, None))
        activity[counter.id] = CounterActivity(
            month_responses=count,
            last_response=as_utc(last) if last is not None else None,
            silent=is_silent(counter, last, now),
        )
    return activity
