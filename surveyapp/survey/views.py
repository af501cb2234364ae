"""The citizen's path: a counter's QR link, the survey, the thank-you page."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from surveyapp.core.branding import province_logo
from surveyapp.core.links import (
    counter_and_questionnaire,
    qr_png,
    qr_svg,
    survey_url,
)
from surveyapp.extensions import csrf
from surveyapp.models import Counter, Questionnaire
from surveyapp.survey.submission import (
    build_survey_form,
    counter_target,
    flag_submission,
    store_response,
)
from surveyapp.web.language import current_language
from surveyapp.web.ratelimit import limit_submissions

bp = Blueprint("survey", __name__, url_prefix="/s")
# The form checks its own CSRF token and, when it has expired, shows the form again
# with the answers kept; the global check would answer 400 and lose them.
csrf.exempt(bp)


def get_counter_or_404(token: str) -> tuple[Counter, Questionnaire]:
    """The counter a token names and its questionnaire, or a friendly 404."""
    found = counter_and_questionnaire(token)
    if found is None:
        abort(404)
    return found


@bp.route("/<token>", methods=["GET", "POST"])
@limit_submissions
def take(token: str) -> ResponseReturnValue:
    """Show the survey for a counter, and store it when submitted."""
    counter, questionnaire = get_counter_or_404(token)
    language = current_language()
    target, fields = counter_target(counter, questionnaire)
    form = build_survey_form(target, fields, language)
    if form.validate_on_submit():
        sending = form.sending(request.remote_addr)
        store_response(flag_submission(form.submission(), sending))
        return redirect(url_for("survey.thanks", token=token, lang=language))
    status = 422 if form.is_submitted() else 200
    return (
        render_template(
            "survey/take.html",
            form=form,
            counter=counter,
            questionnaire=questionnaire,
            language=language,
        ),
        status,
    )


@bp.get("/<token>/cam-on")
def thanks(token: str) -> str:
    """The thank-you page after a stored response."""
    counter, _ = get_counter_or_404(token)
    return render_template("survey/thanks.html", counter=counter)


@bp.get("/<token>/qr.png")
def qr_image_png(token: str) -> Response:
    """The counter's QR code as PNG."""
    counter, _ = get_counter_or_404(token)
    return Response(qr_png(survey_url(counter)), mimetype="image/png")


@bp.get("/<token>/qr.svg")
def qr_image_svg(token: str) -> Response:
    """The counter's QR code as SVG."""
    counter, _ = get_counter_or_404(token)
    return Response(qr_svg(survey_url(counter)), mimetype="image/svg+xml")


@bp.get("/<token>/poster")
def poster(token: str) -> str:
    """A printable A4 poster inviting citizens to scan the counter's QR code."""
    counter, _ = get_counter_or_404(token)
    return render_template(
        "survey/poster.html",
        counter=counter,
        token=token,
        url=survey_url(counter),
        logo=province_logo(),
    )
