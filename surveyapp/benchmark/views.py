"""`POST /_benchmark/bare`: the rows of one response stored with plain SQL, no more.

The yardstick of the load test: the same rows as a real submission (one response,
its answers) in the fewest statements (an INSERT of the response, one of the
answers, the commit), with no validation, rules, rate limits or ORM. A resend of
the same idempotency key stores nothing, as for the real endpoint.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Blueprint, abort, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from surveyapp.extensions import csrf, db

bp = Blueprint("benchmark", __name__, url_prefix="/_benchmark")
csrf.exempt(bp)

INSERT_RESPONSE = text(
    "INSERT INTO responses (public_id, idempotency_key, agency_id, counter_id,"
    " questionnaire_id, service_field_id, channel, language, submitted_at,"
    " anomaly_reasons, folded)"
    " VALUES (:public_id, :key, :agency, :counter, :questionnaire, :field,"
    " 'counter', 'vi', :now, '[]', false)"
    " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
)
INSERT_ANSWER = text(
    "INSERT INTO answers (response_id, criterion_id, value)"
    " VALUES (:response, :criterion, :value)"
)


@dataclass(frozen=True)
class CounterIds:
    """What a counter's rows refer to, read once per process."""

    counter: int
    agency: int
    questionnaire: int
    criteria: dict[str, int]


_known: dict[tuple[str, str], tuple[CounterIds, int]] = {}


def _ids(counter_code: str, field_code: str) -> tuple[CounterIds, int]:
    """The ids behind a counter and a service field (the counter's own version)."""
    if (counter_code, field_code) not in _known:
        with db.engine.connect() as connection:
            found = connection.execute(
                text(
                    "SELECT c.id, c.service_point_id, q.id FROM counters c,"
                    " questionnaires q WHERE c.code = :code AND q.code = 'sipas-2023'"
                ),
                {"code": counter_code},
            ).first()
            field = connection.scalar(
                text("SELECT id FROM service_fields WHERE code = :code"),
                {"code": field_code},
            )
            if found is None or field is None:
                abort(404)
            criteria = connection.execute(
                text(
                    "SELECT cr.code, cr.id FROM criteria cr JOIN factors f"
                    " ON cr.factor_id = f.id WHERE f.questionnaire_id = :q"
                ),
                {"q": found[2]},
            )
            ids = CounterIds(
                found[0], found[1], found[2], {code: id_ for code, id_ in criteria}
            )
        _known[(counter_code, field_code)] = (ids, field)
    return _known[(counter_code, field_code)]


@bp.post("/bare")
def bare() -> ResponseReturnValue:
    """Store {"counter", "service_field", "idempotency_key", "answers"} once."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
        abort(400)
    ids, field = _ids(str(body.get("counter")), str(body.get("service_field")))
    public_id = str(uuid.uuid4())
    with db.engine.begin() as connection:
        response_id = connection.scalar(
            INSERT_RESPONSE,
            {
                "public_id": public_id,
                "key": str(body.get("idempotency_key")),
                "agency": ids.agency,
                "counter": ids.counter,
                "questionnaire": ids.questionnaire,
                "field": field,
                "now": datetime.now(UTC),
            },
        )
        if response_id is None:
            return jsonify(status="duplicate"), 200
        connection.execute(
            INSERT_ANSWER,
            [
                {"response": response_id, "criterion": ids.criteria[code], "value": v}
                for code, v in body["answers"].items()
                if code in ids.criteria
            ],
        )
    return jsonify(status="stored", id=public_id), 201
