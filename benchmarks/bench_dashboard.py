"""Time the manager's pages and the yearly files on a loaded database.

Runs the app in this process and sends each request through Flask's test client
as the demo's province admin, so the time is the server's work (database,
Python, rendering), without network or browser. Each request runs `--repeat`
times; the median is printed. "Cold" is the first request after a new response
arrives (a fresh response is stored before each of its runs); "warm" repeats the
same request. Peak memory is this process's maximum resident set size.

Load the demo first, on PostgreSQL for the issue's numbers:

    createdb -h 127.0.0.1 -U postgres demo1m
    export DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/demo1m
    flask --app wsgi.py db upgrade
    flask --app wsgi.py demo load --responses 1000000
    python benchmarks/bench_dashboard.py
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.app import create_app
from surveyapp.core.time import local_today
from surveyapp.extensions import db
from surveyapp.models import Answer, Counter, Response

PROVINCE = "TM"
COMMUNE = "TM-PHB"
ADMIN = "admin@tinhmau.example"
PASSWORD = "tinhmau-admin-2025"  # the demo's documented login


def _sign_in(client: FlaskClient) -> None:
    """Sign in through the login form, as the demo's province admin."""
    page = client.get("/quan-ly/dang-nhap").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    answer = client.post(
        "/quan-ly/dang-nhap",
        data={"email": ADMIN, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    if answer.status_code != 302:
        raise SystemExit("could not sign in: is the demo loaded?")


def _new_response(app: Flask) -> None:
    """Store one response at the province's first counter, as a citizen would."""
    with app.app_context():
        counter = db.session.scalars(select(Counter).order_by(Counter.id)).first()
        assert counter is not None
        questionnaire = counter.service_point.active_questionnaire()
        assert questionnaire is not None
        response = Response(
            idempotency_key=uuid.uuid4().hex,
            agency_id=counter.service_point_id,
            counter_id=counter.id,
            questionnaire_id=questionnaire.id,
            service_field_id=1,
            submitted_at=datetime.now(UTC),
        )
        response.answers = [
            Answer(criterion_id=c.id, value=4) for c in questionnaire.criteria()
        ]
        db.session.add(response)
        db.session.commit()


def _median_seconds(
    send: Callable[[], int], repeat: int, before: Callable[[], None] | None = None
) -> float:
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        status = send()
        times.append(time.perf_counter() - start)
        if status != 200:
            raise SystemExit(f"status {status}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--year", type=int, default=None, help="default: this year")
    args = parser.parse_args()
    app = create_app()
    client = app.test_client()
    _sign_in(client)
    with app.app_context():
        year = args.year or local_today().year
        responses = db.session.query(Response).count()
    print(f"{responses:,} responses; year {year}; median of {args.repeat} requests")

    def get(path: str) -> Callable[[], int]:
        return lambda: client.get(path).status_code

    province = f"/quan-ly/co-quan/{PROVINCE}?period=year&year={year}"
    cases: list[tuple[str, Callable[[], int], Callable[[], None] | None]] = [
        ("province dashboard, cold", get(province), lambda: _new_response(app)),
        ("province dashboard, warm", get(province), None),
        ("commune dashboard", get(f"/quan-ly/co-quan/{COMMUNE}?year={year}"), None),
        (
            "diem.json",
            get(f"/quan-ly/api/co-quan/{PROVINCE}/diem.json?year={year}"),
            None,
        ),
        ("comments", get(f"/quan-ly/co-quan/{PROVINCE}/gop-y"), None),
    ]
    for fmt in ("xlsx", "csv", "pdf"):
        path = f"/quan-ly/bao-cao/{PROVINCE}/{year}.{fmt}"
        cases.append((f"province {fmt.upper()}, year", get(path), None))
    for name, send, before in cases:
        seconds = _median_seconds(send, args.repeat, before)
        print(f"{name:28} {seconds:8.3f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
