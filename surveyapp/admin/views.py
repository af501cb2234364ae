"""The audit log, for admins."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from surveyapp.admin.actions import action_label
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
    )
