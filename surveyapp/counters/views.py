"""Counters of an agency subtree: list, add, switch on and off, print QR posters."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from surveyapp.core.access import can_see
from surveyapp.core.audit import record
from surveyapp.core.links import counter_token, survey_url
from surveyapp.core.tree import subtree_ids
from surveyapp.counters.forms import CounterForm
from surveyapp.extensions import db
from surveyapp.models import Agency, AgencyKind, Counter, Role, get_by_code
from surveyapp.web.access import get_visible_agency_or_404, roles_required
from surveyapp.web.hygiene import safe_referrer

bp = Blueprint("counters", __name__, url_prefix="/quan-ly/quay")


def _service_points(root: Agency) -> list[Agency]:
    return list(
        db.session.scalars(
            select(Agency)
            .where(
                Agency.id.in_(subtree_ids(root.id)),
                Agency.kind == AgencyKind.SERVICE_POINT,
            )
            .order_by(Agency.code)
        )
    )


@bp.route("/<code>", methods=["GET", "POST"])
@login_required
def index(code: str) -> ResponseReturnValue:
    """The counters of an agency's subtree with their links; managers add counters."""
    root = get_visible_agency_or_404(code)
    points = _service_points(root)
    form = CounterForm()
    form.service_point.choices = [(p.code, f"{p.name} ({p.code})") for p in points]
    if form.is_submitted():
        if not current_user.can_manage:
            abort(403)
        if form.validate():
            if get_by_code(Counter, form.code.data) is not None:
                form.code.errors.append(
                    _("This code is already used by another counter.")
                )
            else:
                point = next(p for p in points if p.code == form.service_point.data)
                counter = Counter(
                    code=form.code.data,
                    name=form.name.data.strip(),
                    service_point=point,
                )
                db.session.add(counter)
                record(
                    "counter_create",
                    target=counter.code,
                    details={"service_point": point.code},
                )
                db.session.commit()
                flash(_("Counter %(code)s added.", code=counter.code), "info")
                return redirect(url_for("counters.index", code=code))
    counters = [
        (counter, counter_token(counter), survey_url(counter))
        for point in points
        for counter in point.counters
    ]
    status = 422 if form.is_submitted() else 200
    return render_template(
        "counters/index.html", root=root, counters=counters, form=form
    ), status


@bp.post("/<code>/bat-tat")
@roles_required(Role.ADMIN, Role.MANAGER)
def toggle(code: str) -> ResponseReturnValue:
    """Stop or resume a counter's survey; its printed QR code answers 404 while off."""
    counter = get_by_code(Counter, code)
    if counter is None or not can_see(current_user, counter.service_point):
        abort(404)
    counter.active = not counter.active
    record("counter_on" if counter.active else "counter_off", target=counter.code)
    db.session.commit()
    return redirect(
        safe_referrer(url_for("counters.index", code=counter.service_point.code))
    )
