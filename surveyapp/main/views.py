"""The landing page and a health check for load balancers."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from sqlalchemy import select, text

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


@bp.get("/healthz")
def health() -> dict[str, str]:
    """Answer ok when the database answers."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
