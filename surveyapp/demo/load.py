"""Tỉnh Mẫu: a fictional province with agencies, counters and synthetic responses.

The numbers are invented but shaped like real one-stop traffic: busy urban wards,
quiet mountain communes, office hours on weekdays, real differences in quality
between agencies and a slow improvement over two years.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from surveyapp.auth.accounts import create_user
from surveyapp.core.catalogue import load_builtin_questionnaires, load_service_fields
from surveyapp.demo.province import COMMENTS_HIGH, COMMENTS_LOW, UNITS, Unit
from surveyapp.extensions import db
from surveyapp.models import (
    Agency,
    AgencyKind,
    Answer,
    Channel,
    Comment,
    Counter,
    DossierCount,
    Questionnaire,
    Receipt,
    Response,
    Role,
    ServiceField,
    User,
    get_by_code,
)

PROVINCE_CODE = "TM"
PROVINCE_NAME = "Tỉnh Mẫu"
CENTRE_NAME = "Trung tâm Phục vụ hành chính công tỉnh"
BATCH = 2_000
DAYS = 730
# Cut points on the latent satisfaction scale between answers 1|2|3|4|5.
CUTS = (-2.2, -1.2, -0.2, 1.3)


def _counter_name(number: int) -> str:
    return f"Quầy số {number}"


def _build_agencies(
    questionnaires: dict[str, Questionnaire],
) -> list[tuple[Unit, Agency, list[Counter]]]:
    province = Agency(
        code=PROVINCE_CODE,
        name=PROVINCE_NAME,
        kind=AgencyKind.PROVINCE,
        questionnaire=questionnaires["sipas-2023"],
    )
    db.session.add(province)
    built = []
    for unit in UNITS:
        agency = Agency(
            code=f"{PROVINCE_CODE}-{unit.short}",
            name=unit.name,
            kind=unit.kind,
            parent=province,
        )
        if unit.questionnaire != "sipas-2023":
            agency.questionnaire = questionnaires[unit.questionnaire]
        if unit.kind is AgencyKind.DEPARTMENT:
            point_name = f"Quầy {unit.name} tại {CENTRE_NAME}"
        else:
            # Mid-sentence, "Xã"/"Phường" is written in lower case.
            lowered = unit.name[0].lower() + unit.name[1:]
            point_name = f"Trung tâm phục vụ hành chính công {lowered}"
        point = Agency(
            code=f"{PROVINCE_CODE}-{unit.short}-MC",
            name=point_name,
            kind=AgencyKind.SERVICE_POINT,
            parent=agency,
        )
        counters = [
            Counter(
                code=f"{unit.short}-Q{number}",
                name=_counter_name(number),
                service_point=point,
            )
            for number in range(1, unit.counters + 1)
        ]
        db.session.add_all([agency, point, *counters])
        built.append((unit, point, counters))
    db.session.flush()
    return built


def _answer(latent: float) -> int:
    return 1 + sum(latent > cut for cut in CUTS)


def _office_time(rng: random.Random, now: datetime) -> datetime:
    while True:
        day = now - timedelta(days=rng.randrange(1, DAYS + 1))
        if day.weekday() < 5:
            break
    # 07:30-17:00 in Vietnam (UTC+7) is 00:30-10:00 UTC.
    minutes = rng.randrange(30, 600)
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        minutes=minutes, seconds=rng.randrange(60)
    )


# Fixed, documented logins for a local demo; a real install creates its own users.
DEMO_USERS = (
    ("admin@tinhmau.example", Role.ADMIN, PROVINCE_CODE, "tinhmau-admin-2025"),
    (
        "quanly.hoabinh@tinhmau.example",
        Role.MANAGER,
        f"{PROVINCE_CODE}-PHB",
        "hoabinh-quanly-2025",
    ),
)


def ensure_demo_users() -> list[str]:
    """Create the demo admin and commune manager if missing; return their logins."""
    logins = []
    for email, role, agency_code, password in DEMO_USERS:
        if db.session.scalar(select(User).where(User.email == email)) is None:
            create_user(email, role.value, agency_code, password)
        logins.append(f"  {role.value:8} {email} / {password} ({agency_code})")
    return logins


def _rate_some_by_receipt(
    rng: random.Random, response_rows: list[dict[str, object]]
) -> None:
    """Turn about one response in eight into a rating from a dossier's receipt QR."""
    chosen = [row for row in response_rows if rng.random() < 0.125]
    receipts = []
    for number, row in enumerate(chosen, start=1):
        submitted = row["submitted_at"]
        if not isinstance(submitted, datetime):
            raise TypeError("submitted_at must be a datetime")
        dossier = f"000.00.{row['agency_id']:02}.H99-{submitted:%y%m%d}-{number:05d}"
        row["dossier_code"] = dossier
        receipts.append(
            {
                "public_id": uuid.UUID(int=rng.getrandbits(128)).hex[:22],
                "dossier_code": dossier,
                "counter_id": row["counter_id"],
                "issued_at": submitted - timedelta(days=rng.randint(0, 5)),
                "expires_at": submitted + timedelta(days=30),
            }
        )
    for start in range(0, len(receipts), BATCH):
        ids = db.session.scalars(
            insert(Receipt).returning(Receipt.id, sort_by_parameter_order=True),
            receipts[start : start + BATCH],
        ).all()
        for row, receipt_id in zip(chosen[start : start + BATCH], ids, strict=True):
            row["receipt_id"] = receipt_id
            row["channel"] = Channel.RECEIPT.value
    # Counter-channel rows need the same keys for one executemany batch.
    for row in response_rows:
        row.setdefault("receipt_id", None)
        row.setdefault("dossier_code", None)


def _unit_id(point: Agency) -> int:
    """The department or commune a demo service point belongs to."""
    if point.parent_id is None:
        raise ValueError(f"demo service point {point.code} has no parent")
    return point.parent_id


def _add_dossier_counts(
    rng: random.Random,
    built: list[tuple[Unit, Agency, list[Counter]]],
    response_rows: list[dict[str, object]],
    fields: dict[str, int],
) -> None:
    """Monthly dossiers per department or commune: responses ÷ a unit's response rate.

    The counts name the unit (TM-PHB), the responses its service point
    (TM-PHB-MC), as they would from one-stop software.
    """
    unit_of_point = {point.id: _unit_id(point) for _, point, _ in built}
    tally: dict[tuple[int, int, int, int], int] = {}
    for row in response_rows:
        submitted = row["submitted_at"]
        if not isinstance(submitted, datetime):
            raise TypeError("submitted_at must be a datetime")
        local = submitted + timedelta(hours=7)
        key = (
            unit_of_point[int(str(row["agency_id"]))],
            int(str(row["service_field_id"])),
            local.year,
            local.month,
        )
        tally[key] = tally.get(key, 0) + 1
    rate_of_unit = {_unit_id(point): rng.uniform(0.06, 0.3) for _, point, _ in built}
    rows = [
        {
            "agency_id": unit_id,
            "service_field_id": field_id,
            "year": year,
            "month": month,
            "dossiers": max(responses, round(responses / rate_of_unit[unit_id])),
        }
        for (unit_id, field_id, year, month), responses in tally.items()
    ]
    # Some fields handled dossiers in a month without a single rating.
    for unit, point, _ in built:
        for field_code in unit.fields:
            key = (_unit_id(point), fields[field_code], 2025, 2)
            if key not in tally:
                rows.append(
                    {
                        "agency_id": key[0],
                        "service_field_id": key[1],
                        "year": 2025,
                        "month": 2,
                        "dossiers": rng.randint(3, 40),
                    }
                )
    db.session.execute(insert(DossierCount), rows)


Plan = list[tuple[int, int | None]]


@dataclass
class _Simulated:
    """Synthetic responses: their rows, and per response its answers and comment."""

    response_rows: list[dict[str, object]] = field(default_factory=list)
    answer_plans: list[Plan] = field(default_factory=list)
    comment_plans: list[str | None] = field(default_factory=list)


def _simulate_responses(
    rng: random.Random,
    built: list[tuple[Unit, Agency, list[Counter]]],
    questionnaires: dict[str, Questionnaire],
    fields: dict[str, int],
    response_count: int,
    seed: int,
) -> _Simulated:
    """Draw every counter's responses from its unit's quality, desk and a trend."""
    now = datetime.now(UTC).replace(microsecond=0)
    total_traffic = sum(unit.traffic * len(counters) for unit, _, counters in built)
    factor_effects = {
        code: [rng.gauss(0, 0.35) for _ in range(6)] for code in questionnaires
    }
    simulated = _Simulated()
    for unit, point, counters in built:
        questionnaire = questionnaires[unit.questionnaire]
        factor_of = [
            (criterion.id, factor.position - 1)
            for factor in questionnaire.factors
            for criterion in factor.criteria
        ]
        item_effect = {cid: rng.gauss(0, 0.25) for cid, _ in factor_of}
        effects = factor_effects[questionnaire.code]
        for counter in counters:
            desk_effect = rng.gauss(0, 0.2)
            count = round(response_count * unit.traffic / total_traffic)
            for _ in range(count):
                submitted = _office_time(rng, now)
                # Service slowly improved: +0.3 on the latent scale over two years.
                trend = 0.3 * (1 - (now - submitted).days / DAYS)
                person = rng.gauss(0, 0.9)
                base = unit.quality + desk_effect + trend + person
                plan = _answer_plan(rng, base, factor_of, effects, item_effect)
                comment = None
                if rng.random() < 0.08:
                    pool = COMMENTS_LOW if base < 0.6 else COMMENTS_HIGH
                    comment = rng.choice(pool)
                rows = simulated.response_rows
                rows.append(
                    {
                        "public_id": str(
                            uuid.UUID(int=rng.getrandbits(128), version=4)
                        ),
                        "idempotency_key": f"demo-{seed}-{len(rows):07d}",
                        "agency_id": point.id,
                        "counter_id": counter.id,
                        "questionnaire_id": questionnaire.id,
                        "service_field_id": fields[rng.choice(unit.fields)],
                        "channel": Channel.COUNTER.value,
                        "language": "vi" if rng.random() < 0.97 else "en",
                        "submitted_at": submitted,
                    }
                )
                simulated.answer_plans.append(plan)
                simulated.comment_plans.append(comment)
    return simulated


def _answer_plan(
    rng: random.Random,
    base: float,
    factor_of: list[tuple[int, int]],
    factor_effects: list[float],
    item_effect: dict[int, float],
) -> Plan:
    """One respondent's answers: (criterion id, 1..5, or None for no opinion)."""
    plan: Plan = []
    for criterion_id, factor_index in factor_of:
        if rng.random() < 0.06:
            plan.append((criterion_id, None))
            continue
        latent = (
            base
            + factor_effects[factor_index]
            + item_effect[criterion_id]
            + rng.gauss(0, 0.7)
        )
        plan.append((criterion_id, _answer(latent)))
    return plan


def _insert_responses(simulated: _Simulated) -> None:
    """Insert the responses with their answers and comments, in batches."""
    response_rows = simulated.response_rows
    for start in range(0, len(response_rows), BATCH):
        chunk = response_rows[start : start + BATCH]
        ids = db.session.scalars(
            insert(Response).returning(Response.id, sort_by_parameter_order=True), chunk
        ).all()
        plans = simulated.answer_plans[start : start + BATCH]
        answer_rows = [
            {"response_id": rid, "criterion_id": cid, "value": value}
            for rid, plan in zip(ids, plans, strict=True)
            for cid, value in plan
        ]
        db.session.execute(insert(Answer), answer_rows)
        comments = simulated.comment_plans[start : start + BATCH]
        comment_rows = [
            {"response_id": rid, "body": body, "hidden": False}
            for rid, body in zip(ids, comments, strict=True)
            if body
        ]
        if comment_rows:
            db.session.execute(insert(Comment), comment_rows)


def load_demo(response_count: int = 20_000, seed: int = 2025) -> str:
    """Create the demo province, its users and `response_count` responses, once."""
    load_builtin_questionnaires()
    load_service_fields()
    db.session.flush()
    if get_by_code(Agency, PROVINCE_CODE) is not None:
        logins = ensure_demo_users()
        db.session.commit()
        return "\n".join(
            [f"{PROVINCE_NAME} is already loaded: nothing added. Demo logins:", *logins]
        )
    questionnaires = {q.code: q for q in db.session.scalars(select(Questionnaire))}
    fields = {f.code: f.id for f in db.session.scalars(select(ServiceField))}
    built = _build_agencies(questionnaires)
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    simulated = _simulate_responses(
        rng, built, questionnaires, fields, response_count, seed
    )
    _rate_some_by_receipt(rng, simulated.response_rows)
    _insert_responses(simulated)
    _add_dossier_counts(rng, built, simulated.response_rows, fields)
    logins = ensure_demo_users()
    db.session.commit()
    counter_count = sum(len(c) for _, _, c in built)
    summary = (
        f"{PROVINCE_NAME}: {len(UNITS)} departments and communes, "
        f"{counter_count} counters, {len(simulated.response_rows)} responses loaded. "
        "Demo logins:"
    )
    return "\n".join([summary, *logins])
