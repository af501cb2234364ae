"""Sign in, sign out, change password."""

from __future__ import annotations

from typing import TypeGuard

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from surveyapp.auth.accounts import find_user, set_digest
from surveyapp.auth.forms import ChangePasswordForm, DigestForm, LoginForm
from surveyapp.auth.throttle import (
    limit_account_failures,
    note_sign_in,
    note_wrong_password,
)
from surveyapp.core.audit import record
from surveyapp.extensions import db, limiter
from surveyapp.models import User, check_unknown_password, utc_now
from surveyapp.web.hygiene import safe_path

bp = Blueprint("auth", __name__, url_prefix="/quan-ly")


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _password_change_limit() -> str:
    return str(current_app.config["PASSWORD_CHANGE_RATE_LIMIT"])


def _signed_in_user_key() -> str:
    # The user's id, not the session id: that changes with each new password.
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def _may_sign_in(user: User | None, password: str) -> TypeGuard[User]:
    """Whether `user` exists, may sign in and `password` is theirs.

    The hash runs for an unknown email too, so the answer takes as long.
    """
    if user is None:
        check_unknown_password(password)
    elif user.check_password(password) and user.is_active:
        return True
    note_wrong_password(user)
    return False


def _start_session(user: User) -> None:
    """Sign `user` in on a fresh session: nothing from before sign-in is kept.

    A fresh session also means a fresh CSRF token, so a token or session planted
    before sign-in (session fixation) is worthless after it.
    """
    session.clear()
    login_user(user)
    note_sign_in(user)
    user.last_login_at = utc_now()
    record("sign_in", user=user, target=user.email)


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limit_account_failures
def login() -> ResponseReturnValue:
    """Sign a manager in."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = find_user(email)
        if _may_sign_in(user, form.password.data):
            _start_session(user)
            db.session.commit()
            return redirect(
                safe_path(request.args.get("next"), url_for("dashboard.index"))
            )
        known = user is not None
        record("sign_in_failed", target=email, details={"known_user": known})
        db.session.commit()
        flash(_("Wrong email or password."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/dang-xuat")
@login_required
def logout() -> ResponseReturnValue:
    """Sign out, here and in every other session of this user."""
    # A copied session cookie would otherwise keep working after sign-out.
    current_user.end_sessions()
    record("sign_out", target=current_user.email)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/mat-khau", methods=["GET", "POST"])
@limiter.limit(_password_change_limit, key_func=_signed_in_user_key, methods=["POST"])
@limit_account_failures
@login_required
def change_password() -> ResponseReturnValue:
    """Change one's own password; other sessions are signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            note_wrong_password(current_user)
            db.session.commit()
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            current_user.set_password(form.new_password.data)
            record("password_change", user=current_user, target=current_user.email)
            db.session.commit()
            login_user(current_user)
            flash(_("Your password has been changed."), "info")
            return redirect(url_for("dashboard.index"))
    return _account_page(form)


def _account_page(
    password_form: ChangePasswordForm, digest_form: DigestForm | None = None
) -> str:
    """The account page: the password form and the digest settings."""
    if digest_form is None:
        # Not from this request's form data: that is the password form's.
        digest_form = DigestForm(formdata=None, obj=current_user)
    return render_template(
        "auth/password.html", form=password_form, digest_form=digest_form
    )


@bp.post("/mat-khau/thu-tom-tat")
@login_required
def digest_settings() -> ResponseReturnValue:
    """Turn one's weekly digest on or off, and choose its language."""
    form = DigestForm()
    if not form.validate_on_submit():
        return _account_page(ChangePasswordForm(formdata=None), form), 400
    set_digest(current_user, form.digest_enabled.data, form.language.data)
    db.session.commit()
    if form.digest_enabled.data:
        flash(_("You will receive the weekly digest."), "info")
    else:
        flash(_("You will no longer receive the weekly digest."), "info")
    return redirect(url_for("auth.change_password"))
