"""A client that submits every 0.2 s during the faults, to time the recovery."""

from __future__ import annotations

import http.client
import json
import random
import re
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
ATTRIBUTE = re.compile(r'(name|value)="([^"]*)"')
CRITERIA = [
    f"{factor}{item}"
    for factor, size in zip("ABCDE", (3, 4, 3, 3, 3), strict=True)
    for item in range(1, size + 1)
]
INTERVAL_S = 0.2


class Probe(threading.Thread):
    """POST /api/v1/responses in a loop; each answer timed and logged like wrk's.

    A failed key is sent again (same idempotency key) until it is acknowledged,
    as the offline client does.
    """

    def __init__(self, url: str, survey: str, log: Path, run: str) -> None:
        super().__init__(daemon=True)
        self.host = urlsplit(url).netloc
        self.survey = survey
        self.log = log
        self.run_id = run
        self.answers: list[tuple[float, int]] = []  # (monotonic seconds, status)
        self.stopping = threading.Event()

    def _request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        connection = http.client.HTTPConnection(self.host, timeout=5)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            answer = connection.getresponse()
            return answer.status, answer.read().decode()
        except OSError:
            return 0, ""  # refused, reset or timed out: no answer at all
        finally:
            connection.close()

    def _page_fields(self) -> dict[str, str]:
        status, page = self._request("GET", self.survey)
        fields = {}
        for tag in HIDDEN.findall(page if status == 200 else ""):
            attributes = dict(ATTRIBUTE.findall(tag))
            if "name" in attributes:
                fields[attributes["name"]] = attributes.get("value", "")
        fields.pop("csrf_token", None)
        fields.pop("idempotency_key", None)
        return fields

    def run(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        fields = self._page_fields()
        number = 0
        key = ""
        with self.log.open("w") as log:
            while not self.stopping.is_set():
                if not key:
                    number += 1
                    key = f"{self.run_id}-probe-{number:06d}"
                body = {
                    **fields,
                    "kind": "counter",
                    "token": self.survey[3:],
                    "idempotency_key": key,
                    "service_field": "ho-tich",
                    "answers": {code: random.randint(3, 5) for code in CRITERIA},
                }
                status, _ = self._request(
                    "POST",
                    "/api/v1/responses",
                    json.dumps(body).encode(),
                    {"Content-Type": "application/json"},
                )
                self.answers.append((time.monotonic(), status))
                log.write(f"{key} {status} 0 {int(time.time())}\n")
                log.flush()
                if 200 <= status < 300:
                    key = ""
                time.sleep(INTERVAL_S)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)


def recovery_seconds(
    answers: list[tuple[float, int]],
    started: float,
    begun: float,
    end: float,
    until: float,
) -> dict[str, float]:
    """How long submissions failed after a fault, and how long after it ended.

    `failing_s`: from the first failed probe at or after the fault to the next
    success (0 when none failed); `recovery_s`: from the fault's end (a killed
    worker or a restart: when the command returned; Redis: when it was back) to
    that success, 0 when it never failed. Only probes before `until` (the next
    fault) count.
    """
    window = [
        (t - started, status) for t, status in answers if begun <= t - started < until
    ]
    failures = [t for t, status in window if not 200 <= status < 300]
    if not failures:
        return {"failing_s": 0.0, "recovery_s": 0.0}
    first = failures[0]
    back = next((t for t, status in window if t > first and 200 <= status < 300), None)
    if back is None:
        return {"failing_s": float("inf"), "recovery_s": float("inf")}
    return {
        "failing_s": round(back - first, 2),
        "recovery_s": round(max(0.0, back - end), 2),
    }
