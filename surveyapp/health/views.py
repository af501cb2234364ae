"""`/healthz` (the process answers) and `/readyz` (it can serve requests).

Neither is rate-limited (a balancer polls them every few seconds from one
address) nor sets a cookie; both answer JSON.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from surveyapp.extensions import limiter
from surveyapp.health.checks import is_ready, readiness

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz() -> ResponseReturnValue:
    """The process is up; touches no database, so a restart fixes a failure."""
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz() -> ResponseReturnValue:
    """200 when the database, Redis and the schema are fine; 503 saying what is not."""
    checks = readiness()
    ready = is_ready(checks)
    body = {"status": "ready" if ready else "not_ready", "checks": checks}
    return jsonify(body), 200 if ready else 503
