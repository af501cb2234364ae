"""Counters of an agency subtree: list, add, switch on and off, choose their service
fields, print QR posters."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from surveyapp.core.access import can_see
from surveyapp.core.activity import counter_activity, silent_days
from surveyapp.core.audit import record
from surveyapp.core.catalogue import service_fields
from surveyapp.core.links import counter_token, survey_url
from surveyapp.core.tree import subtree_ids
from surveyapp.counters.fields import fields_by_code, set_counter_fields
from surveyapp.counters.forms import CounterFieldsForm, CounterForm
from surveyapp.extensions import db
from surveyapp.models import (
    Agency,
    AgencyKind,
    Counter,
    Role,
    ServiceField,
    get_by_code,
)
from surveyapp.web.access import get_visible_agency_or_404, roles_required
from surveyapp.web.hygiene import safe_referrer
from surveyapp.web.language import current_language

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


def _counters_at(points: list[Agency]) -> list[Counter]:
    """The counters of these service points with their fields' names, in three
    statements."""
    return list(
        db.session.scalars(
            select(Counter)
            .join(Counter.service_point)
            .where(Counter.service_point_id.in_([point.id for point in points]))
            .order_by(Agency.code, Counter.code)
            .options(
                selectinload(Counter.service_fields).selectinload(
                    ServiceField.translations
                )
            )
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
    counters = _counters_at(points)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "counters/index.html",
        root=root,
        counters=[(c, counter_token(c), survey_url(c)) for c in counters],
        activity=counter_activity(counters),
        silent_days=silent_days(),
        form=form,
    ), status


def _managed_counter_or_404(code: str) -> Counter:
    """The counter with `code` if the current user's subtree holds it."""
    counter = get_by_code(Counter, code)
    if counter is None or not can_see(current_user, counter.service_point):
        abort(404)
    return counter


def _list_url(counter: Counter) -> str:
    """The counters page the user came from (`back`), else the service point's."""
    back = get_by_code(Agency, request.values.get("back", ""))
    if back is None or not can_see(current_user, back):
        back = counter.service_point
    return url_for("counters.index", code=back.code)


@bp.route("/<code>/dung", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.MANAGER)
def stop(code: str) -> ResponseReturnValue:
    """Ask, then stop a counter's survey; its printed QR code answers 404 while off."""
    counter = _managed_counter_or_404(code)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return render_template(
            "counters/stop.html", counter=counter, back=_list_url(counter)
        )
    if counter.active:
        counter.active = False
        record("counter_off", target=counter.code)
        db.session.commit()
        flash(_("Counter %(code)s is stopped.", code=counter.code), "info")
    return redirect(_list_url(counter))


@bp.post("/<code>/mo-lai")
@roles_required(Role.ADMIN, Role.MANAGER)
def resume(code: str) -> ResponseReturnValue:
    """Open a stopped counter's survey again (its QR code works again)."""
    counter = _managed_counter_or_404(code)
    if not counter.active:
        counter.active = True
        record("counter_on", target=counter.code)
        db.session.commit()
        flash(_("Counter %(code)s is open again.", code=counter.code), "info")
    return redirect(safe_referrer(_list_url(counter)))


@bp.route("/<code>/linh-vuc", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.MANAGER)
def fields(code: str) -> ResponseReturnValue:
    """Choose the service fields a counter handles (audited)."""
    counter = _managed_counter_or_404(code)
    form = CounterFieldsForm()
    language = current_language()
    form.fields.choices = [(f.code, f.name(language)) for f in service_fields()]
    if not form.is_submitted():
        form.fields.data = [field.code for field in counter.service_fields]
    elif form.validate():
        if set_counter_fields(counter, fields_by_code(form.fields.data)):
            db.session.commit()
            flash(
                _("Service fields of counter %(code)s saved.", code=counter.code),
                "info",
            )
        return redirect(_list_url(counter))
    page = render_template(
        "counters/fields.html", counter=counter, form=form, back=_list_url(counter)
    )
    return page, 422 if form.is_submitted() else 200
