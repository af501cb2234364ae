"""The landing page, the posters' logo and a health check for load balancers."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request
from sqlalchemy import select, text

from surveyapp.core.branding import province_logo
from surveyapp.core.links import counter_token
from surveyapp.extensions import db
from surveyapp.models import Counter

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> str:
    """What surveyapp is; in a demo, links to the demo counters' surveys."""
    demo_counters: list[tuple[Counter, str]] = []
    if current_app.config.get("SHOW_DEMO_LINKS"):
        counters = db.session.scalars(
            select(Counter)
            .where(Counter.active.is_(True))
            .order_by(Counter.code)
            .limit(50)
        )
        demo_counters = [(counter, counter_token(counter)) for counter in counters]
    return render_template("main/index.html", demo_counters=demo_counters)


@bp.get("/logo-tinh")
def province_logo_image() -> Response:
    """The province's logo, as uploaded by an admin, for the posters."""
    logo = province_logo()
    if logo is None:
        abort(404)
    response = Response(logo.data, mimetype=logo.content_type)
    # Public like the posters; revalidated, so a replaced logo shows at once.
    response.headers["Cache-Control"] = "public, no-cache"
    response.last_modified = logo.uploaded_at
    response.set_etag(f"{logo.uploaded_at.timestamp():.0f}-{len(logo.data)}")
    response.make_conditional(request)  # a 304 when the browser's copy is current
    return response


@bp.get("/healthz")
def health() -> dict[str, str]:
    """Answer ok when the database answers."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
