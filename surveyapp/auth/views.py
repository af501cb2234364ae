"""Sign in, sign out, change password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from surveyapp.auth.forms import ChangePasswordForm, LoginForm
from surveyapp.core.audit import record
from surveyapp.extensions import db, limiter
from surveyapp.models import User, utc_now

bp = Blueprint("auth", __name__, url_prefix="/quan-ly")


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so a crafted link cannot send a manager elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        if not urlsplit(target).netloc:
            return target
    return url_for("dashboard.index")


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> ResponseReturnValue:
    """Sign a manager in."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalars(
            select(User).where(func.lower(User.email) == email)
        ).first()
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user)
            user.last_login_at = utc_now()
            record("sign_in", user=user, target=user.email)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        record("sign_in_failed", target=email, details={"known_user": user is not None})
        db.session.commit()
        flash(_("Wrong email or password."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/dang-xuat")
@login_required
def logout() -> ResponseReturnValue:
    """Sign out."""
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/mat-khau", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    """Change one's own password; other sessions are signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            current_user.set_password(form.new_password.data)
            record("password_change", user=current_user, target=current_user.email)
            db.session.commit()
            login_user(current_user)
            flash(_("Your password has been changed."), "info")
            return redirect(url_for("dashboard.index"))
    return render_template("auth/password.html", form=form)
