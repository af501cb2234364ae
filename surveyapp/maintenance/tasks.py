"""The housekeeping tasks: each idempotent, each in a transaction of its own.

A submission used to erase old network fingerprints itself: an UPDATE over other
responses on every request, contending with its neighbours for the same rows.
Here it runs once a minute from a timer, and a second run finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import Delete, Update, delete, exists, select, update
from sqlalchemy.engine import CursorResult

from surveyapp.analysis.folding import fold_responses
from surveyapp.extensions import db
from surveyapp.models import Receipt, Response, utc_now


@dataclass(frozen=True)
class Done:
    """What one task did: its name and how many rows it changed."""

    task: str
    rows: int

    def __str__(self) -> str:
        return f"{self.task}: {self.rows}"


def _changed(statement: Update | Delete) -> int:
    """Run a bulk UPDATE or DELETE; how many rows it changed."""
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return int(cast(CursorResult[Any], result).rowcount or 0)


def forget_old_networks(now: datetime) -> int:
    """Erase network fingerprints older than the anomaly window; how many.

    They only serve the "many responses from one network" rule, which looks back
    ANOMALY_WINDOW_MINUTES; kept longer they would say more than the rule needs.
    """
    minutes = int(current_app.config["ANOMALY_WINDOW_MINUTES"])
    return _changed(
        update(Response)
        .where(
            Response.network_hash.is_not(None),
            Response.submitted_at < now - timedelta(minutes=minutes),
        )
        .values(network_hash=None)
    )


def erase_expired_receipts(now: datetime) -> int:
    """Delete receipts never used and expired RECEIPT_KEEP_DAYS ago; how many.

    An unused receipt holds nothing but a dossier code, which the one-stop system
    can link to the applicant: no reason to keep it once nobody can rate with it.
    Until then its link shows the "expired" page; afterwards "not found", and the
    dossier may be issued a new receipt. A used receipt stays with its response.
    """
    days = int(current_app.config["RECEIPT_KEEP_DAYS"])
    used = exists(select(Response.id).where(Response.receipt_id == Receipt.id))
    return _changed(
        delete(Receipt).where(Receipt.expires_at < now - timedelta(days=days), ~used)
    )


def fold_new_responses(_now: datetime) -> int:
    """Fold new responses into the response cells (as `flask cells fold`)."""
    return fold_responses()


TASKS: dict[str, Callable[[datetime], int]] = {
    "network fingerprints erased": forget_old_networks,
    "expired receipts erased": erase_expired_receipts,
    "responses folded into cells": fold_new_responses,
}


def run_maintenance(now: datetime | None = None) -> list[Done]:
    """Run every task, committing after each; what each did.

    A task that fails loses its own work only (the earlier ones are committed),
    and its error propagates so that the timer reports the run as failed; the
    next run tries again.
    """
    moment = now or utc_now()
    done = []
    for name, task in TASKS.items():
        rows = task(moment)
        db.session.commit()
        done.append(Done(name, rows))
    return done
