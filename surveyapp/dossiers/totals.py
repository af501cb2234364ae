"""What dossier counts are stored: per year and agency, for the upload page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Agency, DossierCount


@dataclass(frozen=True)
class YearAgencyTotal:
    """Counts stored for one agency in one year."""

    year: int
    agency_code: str
    agency_name: str
    dossiers: int
    months: int
    service_fields: int
    last_upload: datetime


def totals_by_year_and_agency() -> list[YearAgencyTotal]:
    """Per year and agency: dossiers, months and service fields covered, last upload."""
    query = (
        select(
            DossierCount.year,
            Agency.code,
            Agency.name,
            func.sum(DossierCount.dossiers),
            func.count(func.distinct(DossierCount.month)),
            func.count(func.distinct(DossierCount.service_field_id)),
            func.max(DossierCount.uploaded_at),
        )
        .join(Agency, Agency.id == DossierCount.agency_id)
        .group_by(DossierCount.year, Agency.id, Agency.code, Agency.name)
        .order_by(DossierCount.year.desc(), Agency.code)
    )
    return [
        YearAgencyTotal(year, code, name, int(total), months, fields, last)
        for year, code, name, total, months, fields, last in db.session.execute(query)
    ]
