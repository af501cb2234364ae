"""Builders for test data: small agency trees with counters."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import (
    Agency,
    AgencyKind,
    Answer,
    Comment,
    Counter,
    Questionnaire,
    Response,
    ServiceField,
)


@dataclass(frozen=True)
class SurveySite:
    """Codes of what `make_site` created (rows are re-read in each app context)."""

    province: str
    commune: str
    service_point: str
    counter: str
    other_counter: str


def questionnaire(code: str = "sipas-2023") -> Questionnaire:
    return db.session.scalars(
        select(Questionnaire).where(Questionnaire.code == code)
    ).one()


def make_site(prefix: str = "T", questionnaire_code: str = "sipas-2023") -> SurveySite:
    """Province -> commune -> service point -> two counters, committed."""
    province = Agency(
        code=f"{prefix}-P",
        name="Tỉnh Thử",
        kind=AgencyKind.PROVINCE,
        questionnaire=questionnaire(questionnaire_code),
    )
    commune = Agency(
        code=f"{prefix}-X",
        name="Xã Thử Nghiệm",
        kind=AgencyKind.COMMUNE,
        parent=province,
    )
    point = Agency(
        code=f"{prefix}-X-MC",
        name="Bộ phận Một cửa xã Thử Nghiệm",
        kind=AgencyKind.SERVICE_POINT,
        parent=commune,
    )
    counters = [
        Counter(
            code=f"{prefix}X-Q{number}", name=f"Quầy số {number}", service_point=point
        )
        for number in (1, 2)
    ]
    db.session.add_all([province, commune, point, *counters])
    db.session.commit()
    return SurveySite(
        province.code, commune.code, point.code, counters[0].code, counters[1].code
    )


DEFAULT_PASSWORD = "correct-horse-battery"


def make_user(
    role: str,
    agency_code: str,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
) -> str:
    """Create and commit a user; return the email."""
    from surveyapp.auth.accounts import create_user

    email = email or f"{role}.{agency_code.lower()}@example.gov.vn"
    create_user(email, role, agency_code, password)
    db.session.commit()
    return email


def make_two_communes(prefix: str = "H") -> dict[str, str]:
    """A province with two communes, each with a service point and a counter.

    Returns codes: province, commune_a, commune_b, point_a, point_b, counter_a,
    counter_b.
    """
    province = Agency(
        code=f"{prefix}-P",
        name="Tỉnh Hai Xã",
        kind=AgencyKind.PROVINCE,
        questionnaire=questionnaire(),
    )
    codes = {"province": province.code}
    db.session.add(province)
    for key, name in (("a", "Xã An Phú"), ("b", "Phường Bình Minh")):
        commune = Agency(
            code=f"{prefix}-{key.upper()}",
            name=name,
            kind=AgencyKind.COMMUNE,
            parent=province,
        )
        point = Agency(
            code=f"{prefix}-{key.upper()}-MC",
            name=f"Bộ phận Một cửa {name}",
            kind=AgencyKind.SERVICE_POINT,
            parent=commune,
        )
        counter = Counter(
            code=f"{prefix}{key.upper()}-Q1", name="Quầy số 1", service_point=point
        )
        db.session.add_all([commune, point, counter])
        codes[f"commune_{key}"] = commune.code
        codes[f"point_{key}"] = point.code
        codes[f"counter_{key}"] = counter.code
    db.session.commit()
    return codes


def add_responses(
    counter_code: str,
    ratings: list[int | None],
    count: int,
    field_code: str = "ho-tich",
    submitted_at: datetime | None = None,
    comment: str | None = None,
) -> list[int]:
    """Store `count` identical responses at a counter, every item rated `ratings`.

    `ratings` is cycled over the questionnaire's items. Returns the response ids.
    """
    counter = db.session.scalars(
        select(Counter).where(Counter.code == counter_code)
    ).one()
    survey = counter.service_point.active_questionnaire()
    assert survey is not None
    field = db.session.scalars(
        select(ServiceField).where(ServiceField.code == field_code)
    ).one()
    criteria = survey.criteria()
    ids = []
    for _ in range(count):
        response = Response(
            idempotency_key=uuid.uuid4().hex,
            agency_id=counter.service_point_id,
            counter_id=counter.id,
            questionnaire_id=survey.id,
            service_field_id=field.id,
            submitted_at=submitted_at or datetime.now(UTC),
        )
        response.answers = [
            Answer(criterion_id=c.id, value=ratings[i % len(ratings)])
            for i, c in enumerate(criteria)
        ]
        if comment:
            response.comment = Comment(body=comment)
        db.session.add(response)
        db.session.flush()
        ids.append(response.id)
    db.session.commit()
    return ids
