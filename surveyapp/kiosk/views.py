"""Kiosks: the survey on a counter's tablet, its admin pages, the service worker.

A kiosk's address `/kiosk/<key>` is opened once: it puts the key in a cookie
(HttpOnly, SameSite, Secure in production, path /kiosk) and redirects to `/kiosk/`,
so the key never again appears in a URL, a form or an access log. Kiosk
submissions spend a budget per kiosk (KIOSK_RATE_LIMIT), which bounds a stolen
key or a tablet used by someone tapping for the office.

A kiosk page never shows the previous person's answers: every kiosk response is
`Cache-Control: no-store` (no back button, no bfcache), forms have autocomplete off,
the thank-you page returns to a blank form, and a small script goes back to a blank
form after `KIOSK_IDLE_SECONDS` without a touch or key press, after asking the
person whether they are still answering (static/kiosk.js).
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from surveyapp.extensions import csrf, db
from surveyapp.kiosk.forms import KioskForm
from surveyapp.kiosk.operations import (
    hash_key,
    kiosk_from_key,
    kiosk_url,
    list_kiosks,
    register_kiosk,
    revoke_kiosk,
)
from surveyapp.models import Channel, Counter, Kiosk, Questionnaire, Role
from surveyapp.survey.submission import (
    build_survey_form,
    counter_target,
    flag_submission,
    store_response,
)
from surveyapp.web.access import roles_required
from surveyapp.web.language import current_language
from surveyapp.web.ratelimit import limit_by

bp = Blueprint("kiosk", __name__)

DEFAULT_IDLE_SECONDS = 30
DEFAULT_THANKS_SECONDS = 6
KIOSK_COOKIE = "kiosk_key"
# Browsers keep a cookie 400 days at most; every kiosk form renews it.
COOKIE_MAX_AGE = 400 * 24 * 3600


def no_store(body: ResponseReturnValue) -> WerkzeugResponse:
    """`body` as a response that no cache, back button or bfcache keeps."""
    response = make_response(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def kiosk_budget_key() -> str:
    """The budget a kiosk submission spends: its key's digest, never the key."""
    key = request.cookies.get(KIOSK_COOKIE, "")
    return f"kiosk:{hash_key(key)[:16]}" if key else ""


limit_kiosk_submissions = limit_by(kiosk_budget_key, "KIOSK_RATE_LIMIT", "kiosk-submit")


def remember_kiosk(response: WerkzeugResponse, key: str) -> WerkzeugResponse:
    """`response`, setting (or renewing) the cookie that makes this browser a kiosk."""
    response.set_cookie(
        KIOSK_COOKIE,
        key,
        max_age=COOKIE_MAX_AGE,
        path="/kiosk",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",  # Strict would drop it when the address is opened from a link
    )
    return response


def get_kiosk_or_404() -> tuple[Kiosk, Questionnaire, str]:
    """This browser's active kiosk, its questionnaire and key, or a friendly 404."""
    key = request.cookies.get(KIOSK_COOKIE, "")
    kiosk = kiosk_from_key(key) if key else None
    if kiosk is None:
        abort(404)
    questionnaire = kiosk.counter.active_questionnaire()
    if questionnaire is None:
        abort(404)
    return kiosk, questionnaire, key


def fresh_form_url() -> str:
    """The kiosk's blank form, in the default language for the next person."""
    return url_for("kiosk.take", lang=current_app.config["BABEL_DEFAULT_LOCALE"])


@bp.route("/kiosk/<key>", methods=["GET", "POST"])
def enrol(key: str) -> ResponseReturnValue:
    """A kiosk's address, opened on its tablet: keep the key in a cookie, drop it
    from the URL."""
    if kiosk_from_key(key) is None:
        abort(404)
    # 307 sends a POST on with its answers: a form shown before the key moved.
    status = 307 if request.method == "POST" else 303
    target = url_for("kiosk.take", lang=request.args.get("lang"))
    return no_store(remember_kiosk(redirect(target, status), key))


@bp.route("/kiosk/", methods=["GET", "POST"])
@limit_kiosk_submissions
def take() -> ResponseReturnValue:
    """Show the kiosk's survey, and store it when submitted."""
    kiosk, questionnaire, key = get_kiosk_or_404()
    language = current_language()
    target, fields = counter_target(
        kiosk.counter, questionnaire, channel=Channel.KIOSK, kiosk_id=kiosk.id
    )
    form = build_survey_form(target, fields, language)
    if form.validate_on_submit():
        sending = form.sending(request.remote_addr)
        store_response(flag_submission(form.submission(), sending))
        return no_store(redirect(url_for("kiosk.thanks", lang=language)))
    page = render_template(
        "kiosk/take.html",
        form=form,
        kiosk=kiosk,
        counter=kiosk.counter,
        questionnaire=questionnaire,
        language=language,
        reset_url=fresh_form_url(),
        idle_seconds=current_app.config.get("KIOSK_IDLE_SECONDS", DEFAULT_IDLE_SECONDS),
    )
    response = no_store((page, 422 if form.is_submitted() else 200))
    return remember_kiosk(response, key)


# The kiosk form checks its own CSRF token and shows the form again when it has
# expired, like the counter survey; the admin pages keep the global check. The
# address only moves a POST on to it.
csrf.exempt(take)
csrf.exempt(enrol)


@bp.get("/kiosk/cam-on")
def thanks() -> ResponseReturnValue:
    """The thank-you page, which returns to a blank form by itself."""
    kiosk, _questionnaire, _key = get_kiosk_or_404()
    page = render_template(
        "kiosk/thanks.html",
        counter=kiosk.counter,
        reset_url=fresh_form_url(),
        seconds=current_app.config.get("KIOSK_THANKS_SECONDS", DEFAULT_THANKS_SECONDS),
    )
    return no_store(page)


@bp.route("/quan-ly/kiosk/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def manage() -> ResponseReturnValue:
    """Admins list kiosks and register one for a counter; its URL is shown once."""
    counters = db.session.scalars(
        select(Counter).where(Counter.active.is_(True)).order_by(Counter.code)
    ).all()
    choices = [("", _("— Choose a counter —"))]
    choices += [
        (c.code, f"{c.code} · {c.service_point.name} · {c.name}") for c in counters
    ]
    form = KioskForm()
    form.counter.choices = choices
    created: dict[str, Any] | None = None
    if form.validate_on_submit():
        counter = next(c for c in counters if c.code == form.counter.data)
        kiosk, secret = register_kiosk(counter, form.name.data)
        db.session.commit()
        created = {"kiosk": kiosk, "url": kiosk_url(secret)}
        form = KioskForm(formdata=None)
        form.counter.choices = choices
    status = 422 if form.is_submitted() and created is None else 200
    page = render_template(
        "kiosk/manage.html", form=form, kiosks=list_kiosks(), created=created
    )
    return no_store((page, status))


@bp.post("/quan-ly/kiosk/<int:kiosk_id>/thu-hoi")
@roles_required(Role.ADMIN)
def revoke(kiosk_id: int) -> ResponseReturnValue:
    """Revoke a kiosk: its URL answers "not found" from now on."""
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is None:
        abort(404)
    revoke_kiosk(kiosk)
    db.session.commit()
    flash(_("Kiosk %(name)s revoked.", name=kiosk.name), "info")
    return redirect(url_for("kiosk.manage"))


@bp.get("/sw.js")
def service_worker() -> ResponseReturnValue:
    """The offline service worker, served from the root so it covers /s/ and /r/."""
    response = send_from_directory(current_app.static_folder or "", "sw.js")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    response.mimetype = "text/javascript"
    return response
