"""Load and faults against `make serve`: throughput, latency, nothing lost.

    python -m benchmarks.load.run --modes api,form,bare --duration 60
    python -m benchmarks.load.run --modes mixed --duration 60 --faults \
        --pg-restart "pg_ctlcluster --skip-systemctl-redirect 15 main restart"

Starts a private Redis and `make serve` (SURVEYAPP_CONFIG=benchmark) on loopback,
creates a fresh counter per mode, and runs wrk (Debian's package) from a second
process with benchmarks/load/submit.lua, one mode after the other. With
--faults, during the first mode: kill -9 of one gunicorn worker at 10 s, the
PostgreSQL restart command at 25 s (skipped without --pg-restart), Redis
stopped from 40 s to 50 s.
A probe sends one API submission every 0.2 s to time the recovery. Afterwards
every key is checked in the database (benchmarks/load/verify.py). Results go to
--out (summary.json) and stdout; benchmarks/README.md records them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.load.probe import Probe, recovery_seconds
from benchmarks.load.stack import Redis, Server, restart_postgresql
from benchmarks.load.verify import read_logs, verify
from surveyapp.app import create_app
from surveyapp.core.links import counter_token
from surveyapp.extensions import db
from surveyapp.models import Agency, AgencyKind, Counter, Questionnaire, get_by_code

LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def new_counter(database_url: str, code: str) -> str:
    """A fresh counter under the load's own province; its survey path.

    Each run gets its own: the anomaly rules look back ANOMALY_WINDOW_MINUTES at
    the counter, so a counter that took a previous run's thousands of responses
    would make this run slower than a counter in real use ever is. The
    development settings read the same secret as `make serve` (SECRET_KEY, or
    instance/secret_key), so the signed link is the server's.
    """
    app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        point = get_by_code(Agency, "LOAD-P-MC")
        if point is None:
            sipas = db.session.query(Questionnaire).filter_by(code="sipas-2023").one()
            province = Agency(
                code="LOAD-P",
                name="Tỉnh Tải",
                kind=AgencyKind.PROVINCE,
                questionnaire=sipas,
            )
            point = Agency(
                code="LOAD-P-MC",
                name="Bộ phận Một cửa Tải",
                kind=AgencyKind.SERVICE_POINT,
                parent=province,
            )
        counter = Counter(code=code, name=f"Quầy tải {code}", service_point=point)
        db.session.add(counter)
        db.session.commit()
        path = f"/s/{counter_token(counter)}"
        db.session.remove()
        db.engine.dispose()
    return path


@dataclass(frozen=True)
class Load:
    """One wrk run: its mode (api, form, bare, mixed), length and clients."""

    mode: str
    duration: int
    connections: int = 16
    resend_every: int = 10


@dataclass(frozen=True)
class Faults:
    """When each fault strikes, in seconds from the start (None: not at all)."""

    kill_worker_at: float | None = 10
    pg_restart_at: float | None = None
    pg_restart_command: str = ""
    redis_stop_at: float | None = 40
    redis_stopped_for: float = 10


@dataclass(frozen=True)
class Stack:
    """What the load runs against."""

    server: Server
    redis: Redis
    database_url: str


def run_wrk(
    stack: Stack, load: Load, out: Path, run: str, survey: str
) -> dict[str, float]:
    """wrk for `load.duration` seconds; its rates and latencies."""
    out.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "LOAD_MODE": load.mode,
        "LOAD_SURVEY": survey,
        "LOAD_COUNTER": survey.removeprefix("/s/").rpartition(".")[0],
        "LOAD_OUT": str(out),
        "LOAD_RUN": run,
        "LOAD_RESEND_EVERY": str(load.resend_every),
    }
    threads = str(load.connections)
    command = ["wrk", "--latency", "-t", threads, "-c", threads]
    command += ["-d", f"{load.duration}s", "--timeout", "10s"]
    command += ["-s", str(Path(__file__).with_name("submit.lua")), stack.server.url]
    report = subprocess.run(
        command, env=env, capture_output=True, text=True, check=True
    ).stdout
    (out / "wrk.txt").write_text(report)
    latency = {p: float(v) * UNIT_MS[u] for p, v, u in LATENCY.findall(report)}
    requests = re.search(r"Requests/sec:\s+([\d.]+)", report)
    sent = read_logs(out, "thread-*.log")  # the probe's answers apart
    return {
        "submissions_per_s": round(len(sent.acknowledged) / load.duration, 1),
        "requests_per_s": float(requests.group(1)) if requests else 0.0,
        "p50_ms": latency.get("50", 0.0),
        "p99_ms": latency.get("99", 0.0),
    }


def inject_faults(
    stack: Stack, faults: Faults, started: float, log: list[tuple[str, float, float]]
) -> None:
    """The faults, on schedule; each noted as (name, start, end) in seconds."""

    def at(second: float) -> float:
        time.sleep(max(0.0, started + second - time.monotonic()))
        return time.monotonic() - started

    if faults.kill_worker_at is not None:
        begun = at(faults.kill_worker_at)
        stack.server.kill_one_worker()
        log.append(("kill -9 one gunicorn worker", begun, begun))
    if faults.pg_restart_at is not None and faults.pg_restart_command:
        begun = at(faults.pg_restart_at)
        restart_postgresql(faults.pg_restart_command)
        log.append(("restart PostgreSQL", begun, time.monotonic() - started))
    if faults.redis_stop_at is not None:
        begun = at(faults.redis_stop_at)
        stack.redis.stop()
        at(faults.redis_stop_at + faults.redis_stopped_for)
        stack.redis.start()
        name = f"Redis stopped for {faults.redis_stopped_for:.0f} s"
        log.append((name, begun, time.monotonic() - started))


def recoveries(
    faults: list[tuple[str, float, float]], probe: Probe, started: float, end: float
) -> list[dict[str, object]]:
    """Each fault with the seconds submissions failed and took to come back."""
    if not faults:
        return []
    untils = [begun for _, begun, _ in faults[1:]] + [end]
    return [
        {
            "fault": name,
            "at_s": round(begun, 1),
            **recovery_seconds(probe.answers, started, begun, ended, until),
        }
        for (name, begun, ended), until in zip(faults, untils, strict=True)
    ]


def run_load(
    stack: Stack, load: Load, out: Path, faults: Faults | None = None
) -> dict[str, object]:
    """One load (with faults, and a probe timing them); its rates and verdict."""
    run = f"L{uuid.uuid4().hex[:10]}"
    shutil.rmtree(out, ignore_errors=True)
    survey = new_counter(stack.database_url, f"LOAD-{run}")
    probe = Probe(stack.server.url, survey, out / "probe.log", run)
    struck: list[tuple[str, float, float]] = []
    injector = None
    started = time.monotonic()
    if faults is not None:
        probe.start()
        injector = threading.Thread(
            target=inject_faults, args=(stack, faults, started, struck)
        )
        injector.start()
    rates = run_wrk(stack, load, out, run, survey)
    if injector is not None:
        injector.join()
        probe.stop()
    verdict = verify(stack.database_url, run, read_logs(out))
    return {
        **rates,
        "verdict": {**asdict(verdict), "ok": verdict.ok},
        "faults": recoveries(struck, probe, started, time.monotonic() - started),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="api,form,bare")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--resend-every", type=int, default=10)
    parser.add_argument("--faults", action="store_true")
    parser.add_argument(
        "--pg-restart", default="", help="shell command restarting PostgreSQL"
    )
    parser.add_argument("--port", type=int, default=8040)
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "LOAD_DATABASE_URL",
            "postgresql+psycopg://postgres@127.0.0.1:5432/surveyapp_load",
        ),
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/surveyapp-load"))
    args = parser.parse_args()
    if args.faults and args.duration < 60:
        parser.error("--faults needs --duration 60 or more")
    faults = Faults(pg_restart_at=25, pg_restart_command=args.pg_restart)
    redis = Redis(args.redis_port)
    redis.start()
    args.out.mkdir(parents=True, exist_ok=True)
    server = Server(args.port, args.database_url, redis.url, args.out / "server.log")
    results = {}
    try:
        server.start()
        stack = Stack(server, redis, args.database_url)
        for index, mode in enumerate(args.modes.split(",")):
            load = Load(mode, args.duration, args.connections, args.resend_every)
            struck = faults if args.faults and index == 0 else None
            results[mode] = run_load(stack, load, args.out / mode, struck)
            print(json.dumps({mode: results[mode]}, indent=1), flush=True)
    finally:
        server.stop()
        redis.stop()
    (args.out / "summary.json").write_text(json.dumps(results, indent=1))
    print(f"results in {args.out}/summary.json, the server's log in server.log")


if __name__ == "__main__":
    main()
