"""The review of flagged responses, for admins: list, confirm, clear."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from surveyapp.extensions import db
from surveyapp.models import AnomalyState, Role
from surveyapp.review.operations import (
    get_reviewable_or_404,
    review_page,
    set_review_state,
)
from surveyapp.web.access import roles_required
from surveyapp.web.hygiene import page_number

bp = Blueprint("review", __name__, url_prefix="/quan-ly/kiem-tra")


def _chosen_state(value: str | None) -> AnomalyState:
    """The state asked for; an unknown or missing one shows the flagged responses."""
    try:
        return AnomalyState(value or AnomalyState.FLAGGED)
    except ValueError:  # a hand-edited URL: show the default rather than an error
        return AnomalyState.FLAGGED


@bp.get("/")
@roles_required(Role.ADMIN)
def index() -> str:
    """Responses in one review state (flagged by default), newest first."""
    state = _chosen_state(request.args.get("state"))
    page = page_number(request.args)
    review = review_page(current_user, state, page)
    return render_template("review/index.html", review=review)


@bp.post("/<public_id>/xac-nhan")
@roles_required(Role.ADMIN)
def confirm(public_id: str) -> ResponseReturnValue:
    """Confirm a flag: the response stays out of the scores; audited."""
    return _review(public_id, AnomalyState.CONFIRMED)


@bp.post("/<public_id>/go-co")
@roles_required(Role.ADMIN)
def clear(public_id: str) -> ResponseReturnValue:
    """Clear a flag: the response counts in the scores again; audited."""
    return _review(public_id, AnomalyState.CLEARED)


def _review(public_id: str, state: AnomalyState) -> ResponseReturnValue:
    response = get_reviewable_or_404(public_id, current_user)
    if set_review_state(response, state):
        db.session.commit()
        if state == AnomalyState.CONFIRMED:
            flash(_("Flag confirmed: the response stays out of the scores."), "info")
        else:
            flash(_("Flag cleared: the response counts in the scores again."), "info")
    back = _chosen_state(request.form.get("state"))
    return redirect(url_for("review.index", state=back))
