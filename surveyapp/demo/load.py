"""Tỉnh Mẫu: a fictional province with agencies, counters and synthetic responses.

The numbers are invented but shaped like real one-stop traffic: busy urban wards,
quiet mountain communes, office hours on weekdays, real differences in quality
between agencies and a slow improvement over two years.
"""

from __future__ import annotations

import random
from collections import Counter as Tally

import numpy as np
from sqlalchemy import insert, select

from surveyapp.auth.accounts import create_user
from surveyapp.core.catalogue import load_builtin_questionnaires, load_service_fields
from surveyapp.demo.bulk import store_desks
from surveyapp.demo.province import UNITS, Unit
from surveyapp.demo.simulate import Desk, DeskResponses, simulate_desks
from surveyapp.extensions import db
from surveyapp.models import (
    Agency,
    AgencyKind,
    Counter,
    DossierCount,
    Questionnaire,
    Role,
    ServiceField,
    User,
    get_by_code,
)

PROVINCE_CODE = "TM"
PROVINCE_NAME = "Tỉnh Mẫu"
CENTRE_NAME = "Trung tâm Phục vụ hành chính công tỉnh"


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


def _desks(
    built: list[tuple[Unit, Agency, list[Counter]]],
    fields: dict[str, int],
) -> list[Desk]:
    desks: list[Desk] = []
    for unit, point, counters in built:
        questionnaire = point.active_questionnaire()
        if questionnaire is None:
            raise ValueError(f"demo service point {point.code} has no questionnaire")
        factor_of_item = [
            factor.position - 1
            for factor in questionnaire.factors
            for _criterion in factor.criteria
        ]
        desks.extend(
            Desk(
                unit=unit,
                counter_id=counter.id,
                point_id=point.id,
                questionnaire_id=questionnaire.id,
                factor_of_item=factor_of_item,
                field_ids=[fields[code] for code in unit.fields],
            )
            for counter in counters
        )
    return desks


def _criteria(questionnaires: dict[str, Questionnaire]) -> dict[int, list[int]]:
    """Each questionnaire's criterion ids, in the order of its answer columns."""
    return {
        q.id: [c.id for factor in q.factors for c in factor.criteria]
        for q in questionnaires.values()
    }


def _unit_id(point: Agency) -> int:
    """The department or commune a demo service point belongs to."""
    if point.parent_id is None:
        raise ValueError(f"demo service point {point.code} has no parent")
    return point.parent_id


def _add_dossier_counts(
    seed: int,
    built: list[tuple[Unit, Agency, list[Counter]]],
    simulated: list[DeskResponses],
    fields: dict[str, int],
) -> None:
    """Monthly dossiers per department or commune: responses ÷ a unit's response rate.

    The counts name the unit (TM-PHB), the responses its service point
    (TM-PHB-MC), as they would from one-stop software.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    unit_of_point = {point.id: _unit_id(point) for _, point, _ in built}
    tally: Tally[tuple[int, int, int, int]] = Tally()
    for desk in simulated:
        # Months are local: UTC+7.
        local = (desk.submitted_at + np.timedelta64(7, "h")).astype("datetime64[M]")
        months = local.astype(np.int64)  # months since 1970-01
        keys, counts = np.unique(
            np.stack([desk.field_ids, months], axis=1), axis=0, return_counts=True
        )
        unit_id = unit_of_point[desk.desk.point_id]
        for (field_id, month), count in zip(
            keys.tolist(), counts.tolist(), strict=True
        ):
            tally[(unit_id, field_id, 1970 + month // 12, month % 12 + 1)] += count
    rate_of_unit = {_unit_id(point): rng.uniform(0.06, 0.3) for _, point, _ in built}
    rows = [
        {
            "agency_id": unit_id,
            "service_field_id": field_id,
            "year": year,
            "month": month,
            "dossiers": max(responses, round(responses / rate_of_unit[unit_id])),
        }
        for (unit_id, field_id, year, month), responses in sorted(tally.items())
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
    simulated = simulate_desks(_desks(built, fields), response_count, seed)
    stored = store_desks(simulated, _criteria(questionnaires), seed)
    _add_dossier_counts(seed, built, simulated, fields)
    logins = ensure_demo_users()
    db.session.commit()
    counter_count = sum(len(c) for _, _, c in built)
    summary = (
        f"{PROVINCE_NAME}: {len(UNITS)} departments and communes, "
        f"{counter_count} counters, {stored} responses loaded. "
        "Demo logins:"
    )
    return "\n".join([summary, *logins])
