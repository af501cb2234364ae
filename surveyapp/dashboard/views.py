"""The manager's dashboard: scores, ranking, trend and comments of an agency."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from surveyapp.analysis.breakdown import by_counter, by_field, weakest_criteria
from surveyapp.analysis.change import compare
from surveyapp.analysis.distribution import answer_distribution
from surveyapp.analysis.page_data import read_page_data
from surveyapp.analysis.pooled import pool_versions
from surveyapp.analysis.prepared import PreparedData
from surveyapp.analysis.scores import ScoringError, score_agency
from surveyapp.core.access import can_see
from surveyapp.core.moderation import HIDE_REASONS
from surveyapp.core.time import local_today
from surveyapp.dashboard.comments import (
    CommentFilter,
    comment_page,
    frequent_comment_terms,
    get_visible_comment_or_404,
    set_hidden,
)
from surveyapp.dashboard.page import build_dashboard, parse_period
from surveyapp.extensions import db
from surveyapp.models import Comment, Role
from surveyapp.web.access import get_visible_agency_or_404, roles_required
from surveyapp.web.hygiene import safe_path
from surveyapp.web.language import current_language

bp = Blueprint("dashboard", __name__, url_prefix="/quan-ly")


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    """Open the dashboard of the user's own agency."""
    return redirect(url_for("dashboard.agency", code=current_user.agency.code))


@bp.get("/co-quan/<code>")
@login_required
def agency(code: str) -> ResponseReturnValue:
    """Scores, intervals, trend and ranking of an agency's subtree for a period."""
    chosen = get_visible_agency_or_404(code)
    period, problem = parse_period(request.args, local_today())
    if problem:
        flash(problem, "error")
    try:
        view = build_dashboard(
            chosen, period, request.args.get("q"), current_language()
        )
    except ScoringError as error:
        flash(str(error), "error")
        return render_template(
            "dashboard/empty.html", agency=chosen, period=period
        ), 400
    breadcrumbs = [a for a in reversed(chosen.ancestors()) if can_see(current_user, a)]
    return render_template(
        "dashboard/agency.html", view=view, args=request.args, breadcrumbs=breadcrumbs
    )


@bp.get("/api/co-quan/<code>/diem.json")
@login_required
def scores_json(code: str) -> ResponseReturnValue:
    """The dashboard's numbers as JSON, for other tools (no charts, no trend)."""
    chosen = get_visible_agency_or_404(code)
    period, problem = parse_period(request.args, local_today())
    if problem:
        abort(400)
    page = read_page_data(chosen, period)
    data = page.period
    try:
        scores = score_agency(chosen, period, request.args.get("q"), data=data)
    except ScoringError as error:
        return jsonify(error=str(error)), 400
    comparison = compare(scores, page.previous, page.year_ago)
    pooled = pool_versions(chosen, data)
    return jsonify(
        agency=chosen.code,
        period={"start": period.start.isoformat(), "end": period.end.isoformat()},
        questionnaire=scores.questionnaire.code,
        method=scores.method,
        level=scores.level,
        notes=scores.notes,
        # Each row with `previous`, `year_ago`, `change` and `change_year`.
        rows=comparison.json_rows(),
        # Where to look: the three lowest criteria, and every row by field.
        weakest=[row["code"] for row in weakest_criteria(scores, chosen.code)],
        by_field=by_field(scores),
        # null: the subtree has too many responses to read them by counter.
        by_counter=by_counter(scores),
        previous_period=_bounds(page.previous),
        year_ago_period=_bounds(page.year_ago),
        # Factors and index over every questionnaire version (empty: one used).
        pooled_versions=[code for code, _n in pooled.versions] if pooled else [],
        pooled_rows=pooled.published_rows() if pooled else [],
        # Per criterion: how many gave each answer 1..5 or no opinion (unweighted).
        distribution=[d.as_json() for d in answer_distribution(scores.sums)],
    )


def _bounds(data: PreparedData | None) -> dict[str, str] | None:
    if data is None:
        return None
    return {"start": data.period.start.isoformat(), "end": data.period.end.isoformat()}


@bp.get("/co-quan/<code>/gop-y")
@login_required
def comments(code: str) -> ResponseReturnValue:
    """Citizens' comments in the subtree, newest first, with filters."""
    chosen = get_visible_agency_or_404(code)
    filters = CommentFilter.from_args(request.args)
    page = comment_page(chosen, filters, include_hidden=current_user.can_manage)
    terms = None if filters.hidden_only else frequent_comment_terms(chosen, filters)
    return render_template(
        "dashboard/comments.html",
        agency=chosen,
        page=page,
        filters=filters,
        terms=terms,
        reasons=HIDE_REASONS,
    )


def _back_to_comments(comment: Comment) -> str:
    """The comments list the manager came from (`back`), else the unit's list."""
    default = url_for("dashboard.comments", code=comment.response.agency.code)
    back = request.values.get("back", "")
    # Only back to an agency's page, not to any page of the site.
    if back.startswith("/quan-ly/co-quan/"):
        return safe_path(back, default)
    return default


@bp.route("/gop-y/<int:comment_id>/an", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.MANAGER)
def hide_comment(comment_id: int) -> ResponseReturnValue:
    """Ask for a reason and a confirmation, then hide a comment (kept); audited."""
    comment = get_visible_comment_or_404(comment_id)
    reason = request.values.get("reason", "")
    back = _back_to_comments(comment)
    confirmed = request.method == "POST" and request.form.get("confirm") == "yes"
    if not confirmed or reason not in HIDE_REASONS:
        missing = request.method == "POST" and reason not in HIDE_REASONS
        return render_template(
            "dashboard/hide_comment.html",
            comment=comment,
            reason=reason,
            reasons=HIDE_REASONS,
            back=back,
            missing=missing,
        ), (400 if missing else 200)
    if not comment.hidden:
        set_hidden(comment, reason)
        db.session.commit()
        flash(_("The comment is hidden. It is kept and can be shown again."), "info")
    return redirect(back)


@bp.post("/gop-y/<int:comment_id>/hien")
@roles_required(Role.ADMIN, Role.MANAGER)
def show_comment(comment_id: int) -> ResponseReturnValue:
    """Show a hidden comment again; audited."""
    comment = get_visible_comment_or_404(comment_id)
    if comment.hidden:
        set_hidden(comment, None)
        db.session.commit()
    return redirect(_back_to_comments(comment))
