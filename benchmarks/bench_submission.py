"""SQL statements and CPU per survey submission, in process (issue 12's profile).

Sends N JSON submissions (the API), N form submissions (GET, then POST) and N
posts to the bare endpoint (`/_benchmark/bare`, the load test's yardstick) to one
counter of a fresh database through the test client, and prints, for each path,
the SQL statements per submission, the CPU time of this process per submission
and, on PostgreSQL, the CPU time of the server's backends for this database. On a
machine shared with other work, wall-clock rates say little; CPU per request is
what decides the rate of a saturated server, and the API's CPU over the bare
endpoint's is (nearly) the load test's ratio of rates. Rate limits are lifted but
still counted (in memory, or in Redis with --redis).

    python benchmarks/bench_submission.py [N] [--postgres URL] [--redis URL]

Without --postgres a temporary SQLite file is used; with it, a database is
created on that server (e.g. postgresql://postgres@127.0.0.1:5432/test) and
dropped afterwards. Run from the repository root.
"""

from __future__ import annotations

import argparse
import logging
import os
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
from sqlalchemy import event, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from surveyapp.app import create_app  # noqa: E402
from surveyapp.core.catalogue import (  # noqa: E402
    load_builtin_questionnaires,
    load_service_fields,
)
from surveyapp.extensions import db  # noqa: E402
from tests.factories import make_site  # noqa: E402
from tests.helpers import fill_form, survey_path  # noqa: E402
from tests.receipts.support import SIPAS_2023_CODES, response_body  # noqa: E402


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


def backend_seconds(app: Flask) -> float:
    """CPU seconds used so far by the PostgreSQL backends of the app's database.

    Read from /proc (the server runs on this machine); 0 on SQLite.
    """
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return 0.0
        with db.engine.connect() as connection:
            pids = connection.scalars(
                text(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = current_database()"
                )
            ).all()
    ticks = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:  # a backend that ended meanwhile
            continue
        fields = stat.rpartition(")")[2].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def measure(app: Flask, n: int, send: Callable[[int], None]) -> tuple[float, ...]:
    """Per call of `send(i)` over n calls: statements, then milliseconds of wall
    time, of this process's CPU and of the database backends' CPU."""
    with app.app_context():
        engine = db.engine
    statements = [0]

    def count(*_args: object) -> None:
        statements[0] += 1

    send(-1)  # the first submission of a version reads its criteria once
    event.listen(engine, "before_cursor_execute", count)
    backends = backend_seconds(app)
    cpu = time.process_time()
    start = time.perf_counter()
    for i in range(n):
        send(i)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    event.remove(engine, "before_cursor_execute", count)
    backends = backend_seconds(app) - backends
    return statements[0] / n, *(1000 * value / n for value in (elapsed, cpu, backends))


def run(n: int, url: str, redis: str | None) -> None:
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        SURVEY_RATE_LIMIT_IP="1000000 per minute",
        SURVEY_RATE_LIMIT_COUNTER="1000000 per minute",
        RATELIMIT_STORAGE_URI=redis or "memory://",
        BENCHMARK_BARE_ENDPOINT=True,
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

    def page(_i: int) -> None:
        assert client.get(path).status_code == 200

    def bare(_i: int) -> None:
        body = {
            "counter": site.counter,
            "service_field": "ho-tich",
            "idempotency_key": uuid.uuid4().hex,
            "answers": {code: 4 for code in SIPAS_2023_CODES},
        }
        assert client.post("/_benchmark/bare", json=body).status_code == 201

    paths = (("API", api), ("form POST", form), ("form GET", page), ("bare", bare))
    for name, send in paths:
        per_call, wall, cpu, backends = measure(app, n, send)
        print(
            f"{name}: {per_call:.1f} statements, {wall:.1f} ms, CPU {cpu:.2f} ms"
            f" here + {backends:.2f} ms in the database per request"
        )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=300)
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server")
    parser.add_argument("--redis", help="Redis URL for the rate limits' counts")
    args = parser.parse_args()
    with database(args.postgres) as url:
        run(args.n, url, args.redis)


if __name__ == "__main__":
    main()
