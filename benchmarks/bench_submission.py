"""SQL statements and time per survey submission, in process (issue 12's profile).

Sends N JSON submissions (the API) and N form submissions (GET, then POST) to one
counter of a fresh database through the test client, and prints, for each path,
the SQL statements per submission and the mean time. Rate limits are lifted.

    python benchmarks/bench_submission.py [N] [--postgres URL]

Without --postgres a temporary SQLite file is used; with it, a database is
created on that server (e.g. postgresql://postgres@127.0.0.1:5432/test) and
dropped afterwards. Run from the repository root.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from surveyapp.app import create_app  # noqa: E402
from surveyapp.core.catalogue import (  # noqa: E402
    load_builtin_questionnaires,
    load_service_fields,
)
from surveyapp.extensions import db  # noqa: E402
from tests.factories import make_site  # noqa: E402
from tests.helpers import fill_form, survey_path  # noqa: E402
from tests.receipts.support import response_body  # noqa: E402


@contextmanager
def database(postgres: str | None) -> Iterator[str]:
    """A database URL for the run: a temporary SQLite file or a new PG database."""
    if postgres is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
        return
    name = f"bench_submission_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = postgres.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(postgres, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(app: Flask, n: int, send: Callable[[int], None]) -> tuple[float, float]:
    """Statements per call and mean milliseconds of `send(i)` over n calls."""
    with app.app_context():
        engine = db.engine
    statements = [0]

    def count(*_args: object) -> None:
        statements[0] += 1

    send(-1)  # the first submission of a version reads its criteria once
    event.listen(engine, "before_cursor_execute", count)
    elapsed = 0.0
    for i in range(n):
        start = time.perf_counter()
        send(i)
        elapsed += time.perf_counter() - start
    event.remove(engine, "before_cursor_execute", count)
    return statements[0] / n, 1000 * elapsed / n


def run(n: int, url: str) -> None:
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        SURVEY_RATE_LIMIT_IP="1000000 per minute",
        SURVEY_RATE_LIMIT_COUNTER="1000000 per minute",
    )
    logging.getLogger("surveyapp").setLevel(logging.WARNING)
    with app.app_context():
        upgrade()
        load_builtin_questionnaires()
        load_service_fields()
        db.session.commit()
        site = make_site()
    client = app.test_client()
    path = survey_path(app, site.counter)

    def api(_i: int) -> None:
        body = response_body(path.removeprefix("/s/"), kind="counter")
        assert client.post("/api/v1/responses", json=body).status_code == 201

    forms = [fill_form(client, path) for _ in range(n + 1)]

    def form(i: int) -> None:
        assert client.post(path, data=forms[i]).status_code == 302

    for name, send in (("API", api), ("form", form)):
        per_call, ms = measure(app, n, send)
        print(f"{name}: {per_call:.1f} statements, {ms:.1f} ms per submission")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=300)
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server")
    args = parser.parse_args()
    with database(args.postgres) as url:
        run(args.n, url)


if __name__ == "__main__":
    main()
