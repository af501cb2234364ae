"""The load and fault test in short (benchmarks/load/): nothing acknowledged is lost.

20 seconds of form and API submissions from wrk against `make serve` on
PostgreSQL and a Redis of its own, with one gunicorn worker killed (kill -9)
and Redis stopped for 5 s meanwhile. It checks correctness, not speed: every
submission that got a 2xx or a redirect is stored once, resends store nothing,
no response lacks answers. The PostgreSQL restart is left to the full run: the
suite's other tests share the server.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
from flask import Flask

from benchmarks.load.run import Faults, Load, Stack, run_load
from benchmarks.load.stack import Redis, Server
from benchmarks.load.verify import Sent, verify
from surveyapp.extensions import db
from surveyapp.models import Response
from tests.conftest import (
    _create_postgres_database,
    _drop_postgres_database,
    unavailable,
)
from tests.factories import SurveySite, add_responses

pytestmark = pytest.mark.load
TOOLS = ("wrk", "redis-server", "redis-cli", "psql", "make")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_acknowledged_submissions_survive_a_killed_worker_and_redis_down(
    tmp_path: Path,
) -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        unavailable(f"the load test needs {', '.join(missing)}")
    name, url = _create_postgres_database()
    redis = Redis(free_port())
    server = Server(free_port(), url, "", tmp_path / "server.log")
    try:
        redis.start()
        server.redis_url = redis.url
        server.start()
        stack = Stack(server, redis, url)
        load = Load("mixed", duration=20, connections=8, resend_every=5)
        faults = Faults(kill_worker_at=5, redis_stop_at=10, redis_stopped_for=5)
        result = run_load(stack, load, tmp_path / "load", faults)
    finally:
        server.stop()
        redis.stop()
        _drop_postgres_database(name)
    verdict = result["verdict"]
    assert isinstance(verdict, dict)
    assert verdict["acknowledged"] > 0 and verdict["resent"] > 0, verdict
    assert verdict["acknowledged_missing"] == 0, verdict
    assert verdict["duplicates"] == 0, verdict
    assert verdict["half_stored"] == 0, verdict


def test_the_verdict_sees_a_lost_and_a_half_stored_response(
    app: Flask, database_url: str, site: SurveySite
) -> None:
    with app.app_context():
        ids = add_responses(site.counter, [4], 2)
        first, second = (db.session.get(Response, id_) for id_ in ids)
        first.idempotency_key = "Lrun-t01-00000001"
        second.idempotency_key = "Lrun-t01-00000002"
        second.answers = second.answers[:15]
        db.session.commit()
    sent = Sent()
    for number, status in ((1, 201), (2, 200), (3, 201), (4, 500)):
        sent.statuses[f"Lrun-t01-{number:08d}"].append(status)
    verdict = verify(database_url, "Lrun", sent)
    assert (verdict.acknowledged, verdict.stored) == (3, 2)
    assert verdict.acknowledged_missing == 1  # key 3 was acknowledged, not stored
    assert verdict.half_stored == 1
    assert verdict.duplicates == 0 and not verdict.ok
