"""The public results page: the province's finalised years, without signing in."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask.typing import ResponseReturnValue

from surveyapp.public.results import finalised_years, year_results

bp = Blueprint("public", __name__, url_prefix="/ket-qua")


@bp.before_request
def only_when_published() -> None:
    """The whole page is "not found" unless PUBLIC_RESULTS turns it on."""
    if not current_app.config["PUBLIC_RESULTS"]:
        abort(404)


@bp.get("")
@bp.get("/<int:year>")
def results(year: int | None = None) -> ResponseReturnValue:
    """The newest finalised year (or `year`): each unit's index and rank interval."""
    years = finalised_years()
    if year is None and years:
        year = years[0]
    if year is not None and year not in years:
        abort(404)
    shown = year_results(year) if year is not None else []
    return render_template("public/results.html", years=years, year=year, shown=shown)
