"""After a run: what the clients were told, against what the database holds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

ANSWERS_PER_RESPONSE = 16  # sipas-2023, every item rated by the load


@dataclass
class Sent:
    """Every answer the load got, by idempotency key."""

    statuses: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    resent: set[str] = field(default_factory=set)
    seconds: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def acknowledged(self) -> set[str]:
        return {
            key
            for key, codes in self.statuses.items()
            if any(200 <= code < 400 for code in codes)
        }


def read_logs(directory: Path, pattern: str = "*.log") -> Sent:
    """Lines `key status resend epoch` from every thread's log (and the probe's)."""
    sent = Sent()
    for path in sorted(directory.glob(pattern)):
        for line in path.read_text().splitlines():
            key, status, resend, second = line.split()
            sent.statuses[key].append(int(status))
            if resend == "1":
                sent.resent.add(key)
            if 200 <= int(status) < 400:
                sent.seconds[int(second)] += 1
    return sent


@dataclass(frozen=True)
class Verdict:
    """The correctness of a run; `ok` when nothing acknowledged was lost."""

    sent_keys: int
    acknowledged: int
    resent: int
    stored: int
    acknowledged_missing: int
    duplicates: int
    half_stored: int
    stored_unacknowledged: int
    errors: dict[int, int]

    @property
    def ok(self) -> bool:
        return not (self.acknowledged_missing or self.duplicates or self.half_stored)


def verify(database_url: str, run: str, sent: Sent) -> Verdict:
    """Check every key of `run` in the database against what the clients saw."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT r.idempotency_key, count(*) OVER (PARTITION BY"
                " r.idempotency_key), (SELECT count(*) FROM answers a"
                " WHERE a.response_id = r.id) FROM responses r"
                " WHERE r.idempotency_key LIKE :prefix"
            ),
            {"prefix": f"{run}-%"},
        ).all()
    engine.dispose()
    stored = {row[0] for row in rows}
    acknowledged = sent.acknowledged
    errors: dict[int, int] = defaultdict(int)
    for codes in sent.statuses.values():
        for code in codes:
            if not 200 <= code < 400:
                errors[code] += 1
    return Verdict(
        sent_keys=len(sent.statuses),
        acknowledged=len(acknowledged),
        resent=len(sent.resent),
        stored=len(rows),
        acknowledged_missing=len(acknowledged - stored),
        duplicates=sum(1 for row in rows if row[1] > 1) + len(rows) - len(stored),
        half_stored=sum(1 for row in rows if row[2] != ANSWERS_PER_RESPONSE),
        stored_unacknowledged=len(stored - acknowledged),
        errors=dict(errors),
    )
