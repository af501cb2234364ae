"""The manager's dashboard."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

bp = Blueprint("dashboard", __name__, url_prefix="/quan-ly")


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    """Open the dashboard of the user's own agency."""
    return redirect(url_for("dashboard.agency", code=current_user.agency.code))
