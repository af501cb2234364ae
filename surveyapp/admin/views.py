"""Admins: the audit log, and the province's logo on the counters' posters."""

from __future__ import annotations

from contextlib import closing

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from surveyapp.admin.actions import action_label, detail_text
from surveyapp.admin.forms import LogoForm
from surveyapp.core.branding import (
    MAX_LOGO_BYTES,
    MAX_LOGO_PIXELS,
    LogoError,
    check_logo,
    province_logo,
    remove_logo,
    store_logo,
)
from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Role
from surveyapp.web.access import roles_required
from surveyapp.web.hygiene import page_number

bp = Blueprint("admin", __name__, url_prefix="/quan-ly/quan-tri")
PAGE_SIZE = 100


@bp.get("/nhat-ky")
@roles_required(Role.ADMIN)
def audit_log() -> str:
    """The newest audit events first, optionally of one action."""
    action = request.args.get("action", "")
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    page = page_number(request.args)
    events = db.session.scalars(
        query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    actions = db.session.scalars(
        select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    )
    return render_template(
        "admin/audit.html",
        events=events,
        actions=list(actions),
        action=action,
        page=page,
        page_size=PAGE_SIZE,
        action_label=action_label,
        detail_text=detail_text,
    )


def _logo_page(form: LogoForm, status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "admin/logo.html",
        form=form,
        logo=province_logo(),
        max_kb=MAX_LOGO_BYTES // 1024,
        max_pixels=MAX_LOGO_PIXELS,
    )
    return page, status


@bp.route("/logo", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def logo() -> ResponseReturnValue:
    """Show the posters' logo and replace it with an uploaded PNG or JPEG."""
    form = LogoForm()
    if not form.validate_on_submit():
        return _logo_page(form, 422 if form.is_submitted() else 200)
    # Closed at once: a large upload is spooled to a temporary file.
    with closing(form.file.data) as upload:
        data = upload.read(MAX_LOGO_BYTES + 1)
    try:
        image = check_logo(data)
    except LogoError as error:  # the reason is the admin's to read, on the form
        form.file.errors.append(error.reason)
        return _logo_page(form, 422)
    store_logo(image, current_user)
    db.session.commit()
    flash(_("The logo is saved: every poster prints it from now on."), "info")
    return redirect(url_for("admin.logo"))


@bp.post("/logo/xoa")
@roles_required(Role.ADMIN)
def logo_remove() -> ResponseReturnValue:
    """Take the logo off the posters, once the admin has ticked that they mean it."""
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm that the logo should be removed."), "error")
        return redirect(url_for("admin.logo"))
    if remove_logo(current_user):
        db.session.commit()
        flash(_("The logo is removed from the posters."), "info")
    return redirect(url_for("admin.logo"))
