"""The export page of an agency: status of a year, downloads and finalisation."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from surveyapp.analysis.scores import ScoringError
from surveyapp.core.audit import record
from surveyapp.core.time import FIRST_YEAR, local_today
from surveyapp.extensions import db
from surveyapp.models import Role
from surveyapp.reports.files import FORMATS, file_name, render
from surveyapp.reports.finalise import (
    FinaliseError,
    finalise_year,
    year_report,
    year_status,
)
from surveyapp.web.access import get_visible_agency_or_404, roles_required
from surveyapp.web.language import current_language

bp = Blueprint("reports", __name__, url_prefix="/quan-ly/bao-cao")


def plausible_year(year: int) -> bool:
    """Whether a year in a URL can have survey data (not 0, not 99999)."""
    return FIRST_YEAR <= year <= local_today().year + 1


def _year(text: str | None) -> int:
    """The year asked for, this year when missing or not a plausible year."""
    this_year = local_today().year
    try:
        year = int(text or this_year)
    except ValueError:
        return this_year
    return year if FIRST_YEAR <= year <= this_year + 1 else this_year


@bp.get("/<code>")
@login_required
def index(code: str) -> ResponseReturnValue:
    """A year's status (finalised, late responses) with downloads and finalisation."""
    agency = get_visible_agency_or_404(code)
    year = _year(request.args.get("year"))
    try:
        status = year_status(agency, year, request.args.get("q"))
    except ScoringError as error:
        flash(str(error), "error")
        status = None
    years = list(range(local_today().year, local_today().year - 6, -1))
    return render_template(
        "reports/index.html",
        agency=agency,
        year=year,
        years=years,
        status=status,
        year_not_over=year >= local_today().year,
    )


@bp.get("/<code>/<int:year>.<fmt>")
@roles_required(Role.ADMIN, Role.MANAGER)
def download(code: str, year: int, fmt: str) -> ResponseReturnValue:
    """The year's report as XLSX, CSV or PDF (the finalised one when it exists),
    in the page's language."""
    agency = get_visible_agency_or_404(code)
    if fmt not in FORMATS or not plausible_year(year):
        abort(404)
    try:
        report = year_report(agency, year, request.args.get("q"))
        content = render(report, fmt, current_language())
    except ScoringError as error:
        flash(str(error), "error")
        return redirect(url_for("reports.index", code=code, year=year))
    record(
        "export",
        target=agency.code,
        details={"year": year, "format": fmt, "questionnaire": report.questionnaire},
    )
    db.session.commit()
    return send_file(
        io.BytesIO(content),
        mimetype=FORMATS[fmt],
        as_attachment=True,
        download_name=file_name(report, fmt),
    )


@bp.post("/<code>/<int:year>/chot")
@roles_required(Role.ADMIN, Role.MANAGER)
def finalise(code: str, year: int) -> ResponseReturnValue:
    """Freeze the year's results of the agency's subtree; audited."""
    agency = get_visible_agency_or_404(code)
    if not plausible_year(year):
        abort(404)
    questionnaire_code = request.form.get("q") or None
    back = url_for("reports.index", code=code, year=year, q=questionnaire_code)
    if request.form.get("confirm_year", "").strip() != str(year):
        flash(
            _(
                "Nothing was finalised: type the year %(year)s in the box to confirm.",
                year=year,
            ),
            "error",
        )
        return redirect(back)
    try:
        finalisation = finalise_year(agency, year, questionnaire_code, current_user)
        record(
            "finalise",
            target=agency.code,
            details={
                "year": year,
                "questionnaire": finalisation.settings["questionnaire"],
                "responses": finalisation.response_count,
                "input_hash": finalisation.input_hash,
            },
        )
        db.session.commit()
    except (FinaliseError, ScoringError) as error:
        flash(str(error), "error")
    except IntegrityError:
        # Another request finalised the same year in between: the constraint wins.
        db.session.rollback()
        flash(_("This year has just been finalised by someone else."), "error")
    else:
        flash(_("%(year)s is finalised.", year=year), "success")
    return redirect(back)
