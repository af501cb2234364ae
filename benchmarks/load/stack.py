"""The stack under load, started and hurt on purpose: Redis, `make serve`, faults.

Everything here runs on loopback and only touches processes this module started
(by their ids), except the PostgreSQL restart, which runs the command it is
given (the server may be shared: see benchmarks/README.md).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def children(pid: int) -> list[int]:
    """The ids of the processes whose parent is `pid` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended while we looked
            continue
        # The command name may hold spaces: the fields after its ')' are fixed.
        parent = int(stat.rpartition(")")[2].split()[1])
        if parent == pid:
            found.append(int(entry.name))
    return found


def wait_until(check: object, seconds: float, what: str) -> None:
    """Call `check()` until it is true, or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} not ready after {seconds:.0f} s")


@dataclass
class Redis:
    """A private redis-server on its own port, so stopping it hurts nobody else."""

    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--pidfile",
                f"/tmp/surveyapp-load-redis-{self.port}.pid",
                "--logfile",
                f"/tmp/surveyapp-load-redis-{self.port}.log",
            ],
            check=True,
        )
        wait_until(self.answers, 10, "Redis")

    def answers(self) -> bool:
        probe = subprocess.run(
            ["redis-cli", "-p", str(self.port), "ping"],
            capture_output=True,
            text=True,
            check=False,
        )
        return probe.stdout.strip() == "PONG"

    def stop(self) -> None:
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"],
            capture_output=True,
            check=False,
        )
        wait_until(lambda: not self.answers(), 10, "Redis stop")


@dataclass
class Server:
    """`make serve` with the benchmark settings, on a port of its own."""

    port: int
    database_url: str
    redis_url: str
    log_path: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "SURVEYAPP_CONFIG": "benchmark",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            **self.extra_env,
        }
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                ["make", "--no-print-directory", "serve", f"SERVE_PORT={self.port}"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self.ready, 120, "make serve")

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/readyz", timeout=2) as answer:
                return json.load(answer)["status"] == "ready"
        except (OSError, urllib.error.HTTPError, ValueError):
            return False

    def master(self) -> int:
        """gunicorn's master: the one child of make's recipe shell (exec'd)."""
        assert self.process is not None
        (master,) = children(self.process.pid)
        return master

    def workers(self) -> list[int]:
        return children(self.master())

    def kill_one_worker(self) -> int:
        """kill -9 one worker, as the kernel's OOM killer would; its id."""
        victim = self.workers()[0]
        os.kill(victim, signal.SIGKILL)
        return victim

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # our own process group
        self.process.wait(timeout=60)
        self.process = None


def restart_postgresql(command: str) -> None:
    """Run the given restart command (e.g. pg_ctlcluster ... restart)."""
    subprocess.run(command, shell=True, check=True)  # noqa: S602 - operator's own
