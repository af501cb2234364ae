"""The admin review of flagged responses.

"confirmed" keeps a response out of the scores, "cleared" counts it again; both
are audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask_babel import format_decimal
from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import joinedload, selectinload

from surveyapp.analysis.folding import unfold_response
from surveyapp.core.access import can_see, visible_agency_ids
from surveyapp.core.audit import record
from surveyapp.extensions import db
from surveyapp.models import (
    EXCLUDED_ANOMALY_STATES,
    AnomalyState,
    Answer,
    Criterion,
    Response,
    User,
)
from surveyapp.review.reasons import describe_reason

#: The decisions an admin takes, and the audit action recording each.
REVIEW_ACTIONS = {
    AnomalyState.CONFIRMED: "response_confirm",
    AnomalyState.CLEARED: "response_clear",
}
PAGE_SIZE = 50


@dataclass(frozen=True)
class ReviewItem:
    """A flagged response with its reasons and answers, ready to show."""

    response: Response
    reasons: list[str]
    pattern: str
    mean: float | None

    @property
    def mean_text(self) -> str:
        """The mean rating with one decimal, in the reader's number format."""
        return "" if self.mean is None else str(format_decimal(self.mean, "0.0"))


@dataclass(frozen=True)
class ReviewPage:
    """One page of responses in one review state, newest first."""

    state: AnomalyState
    items: list[ReviewItem]
    total: int
    counts: dict[AnomalyState, int]
    page: int
    page_size: int = PAGE_SIZE

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.total


def _visible_to(user: User) -> ColumnElement[bool]:
    if user.is_admin:
        return true()
    return Response.agency_id.in_(visible_agency_ids(user))


def review_page(user: User, state: AnomalyState, page: int = 1) -> ReviewPage:
    """Responses in review `state` that `user` may see, newest first."""
    chosen = (Response.anomaly_state == state, _visible_to(user))
    total = (
        db.session.scalar(select(func.count()).select_from(Response).where(*chosen))
        or 0
    )
    responses = db.session.scalars(
        select(Response)
        .where(*chosen)
        .options(
            joinedload(Response.counter),
            joinedload(Response.agency),
            selectinload(Response.answers)
            .joinedload(Answer.criterion)
            .joinedload(Criterion.factor),
        )
        .order_by(Response.submitted_at.desc(), Response.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    counts: dict[str | None, int] = {
        status: count
        for status, count in db.session.execute(
            select(Response.anomaly_state, func.count())
            .where(Response.anomaly_state.is_not(None), _visible_to(user))
            .group_by(Response.anomaly_state)
        )
    }
    return ReviewPage(
        state,
        [_review_item(response) for response in responses],
        total,
        {name: counts.get(name, 0) for name in AnomalyState},
        page,
    )


def _review_item(response: Response) -> ReviewItem:
    answers = sorted(
        response.answers,
        key=lambda a: (a.criterion.factor.position, a.criterion.position),
    )
    values = [a.value for a in answers if a.value is not None]
    return ReviewItem(
        response,
        [describe_reason(code) for code in response.anomaly_reasons],
        " ".join("–" if a.value is None else str(a.value) for a in answers),
        sum(values) / len(values) if values else None,
    )


def get_reviewable_or_404(public_id: str, user: User) -> Response:
    """A flagged (or reviewed) response `user` may see; 404 otherwise."""
    response = db.session.scalars(
        select(Response).where(
            Response.public_id == public_id, Response.anomaly_state.is_not(None)
        )
    ).first()
    if response is None or not can_see(user, response.agency):
        abort(404)
    return response


def set_review_state(response: Response, state: AnomalyState) -> bool:
    """Confirm or clear a flagged response, audited; False if nothing changes.

    The caller commits. A confirmed response stays out of the scores; a cleared
    one counts again. Either decision can be reversed later, audited again.
    """
    if state not in REVIEW_ACTIONS:
        raise ValueError(f"a review confirms or clears, it does not set {state!r}")
    if response.anomaly_state == state:
        return False
    previous = response.anomaly_state
    if state in EXCLUDED_ANOMALY_STATES:
        unfold_response(response)  # its cell must stop counting it, now
    response.anomaly_state = state
    record(
        REVIEW_ACTIONS[state],
        target=response.public_id,
        details={
            "reasons": response.anomaly_reasons,
            "from": previous,
            "counter": response.counter.code if response.counter else "",
        },
    )
    return True
