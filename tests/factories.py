"""Builders for test data: small agency trees with counters."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Agency, AgencyKind, Counter, Questionnaire


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
    from surveyapp.services.accounts import create_user

    email = email or f"{role}.{agency_code.lower()}@example.gov.vn"
    create_user(email, role, agency_code, password)
    db.session.commit()
    return email
