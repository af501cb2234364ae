"""The finalised years of the province, as the public results page shows them.

Only numbers frozen by a finalisation (``Finalisation.results``) are read here,
never the responses: a late response cannot move a published number. The
reliability rules of :mod:`surveyapp.analysis.publication` hide what is too
thin, as on every other page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select

from surveyapp.analysis.publication import published
from surveyapp.analysis.ranking import rank_label
from surveyapp.extensions import db
from surveyapp.models import Agency, Finalisation
from surveyapp.scoring import ResultRow


@dataclass(frozen=True)
class UnitResult:
    """A unit's index as published, and its rank interval ("" when unranked)."""

    name: str
    index: ResultRow | None
    rank: str
    # Ranked on another questionnaire version's index (None: the year's own).
    questionnaire: str | None


@dataclass(frozen=True)
class FinalisedYear:
    """The frozen results of a province (tree root) for one year and version."""

    year: int
    province: str
    questionnaire: str
    finalised_at: datetime
    response_count: int
    level: float
    overall: ResultRow | None
    # Weighted to the dossiers handled (False: no counts, every answer alike).
    weighted: bool
    # One list per tree level below the province, as ranked at finalisation.
    levels: list[list[UnitResult]]


def _of_the_province() -> ColumnElement[bool]:
    """Finalisations of a tree root: the province's own years, not a commune's."""
    return Finalisation.agency_id.in_(
        select(Agency.id).where(Agency.parent_id.is_(None))
    )


def finalised_years() -> list[int]:
    """The years finalised for the province, newest first."""
    years = db.session.scalars(
        select(Finalisation.year).where(_of_the_province()).distinct()
    )
    return sorted(years, reverse=True)


def _index_rows(results: dict[str, Any]) -> dict[str, ResultRow]:
    """Agency code -> its published SIPAS index row."""
    return {
        row["domain"]: published(row)
        for row in results["rows"]
        if row["code"] == "SIPAS"
    }


def _unit(
    entry: dict[str, Any], names: dict[str, str], rows: dict[str, ResultRow]
) -> UnitResult:
    own = entry.get("index")
    index = (
        published(own)
        if entry.get("questionnaire") and own
        else rows.get(entry["code"])
    )
    rank = (
        rank_label(entry["best"], entry["worst"], entry["out_of"])
        if entry["ranked"]
        else ""
    )
    return UnitResult(
        names.get(entry["code"], entry["code"]), index, rank, entry.get("questionnaire")
    )


def _finalised_year(finalisation: Finalisation) -> FinalisedYear:
    results = finalisation.results
    names = {agency["code"]: agency["name"] for agency in results["agencies"]}
    rows = _index_rows(results)
    return FinalisedYear(
        year=finalisation.year,
        province=names.get(results["agency"], results["agency"]),
        questionnaire=results["questionnaire"],
        finalised_at=finalisation.finalised_at,
        response_count=finalisation.response_count,
        level=float(results["level"]),
        overall=rows.get(results["agency"]),
        weighted=bool(results["weighting"]["counted"]),
        levels=[
            [_unit(entry, names, rows) for entry in level]
            for level in results["rankings"]
        ],
    )


def year_results(year: int) -> list[FinalisedYear]:
    """The province's finalised results of `year` (one per questionnaire version)."""
    finalisations = db.session.scalars(
        select(Finalisation)
        .where(_of_the_province(), Finalisation.year == year)
        .order_by(Finalisation.agency_id, Finalisation.questionnaire_id)
    )
    return [_finalised_year(finalisation) for finalisation in finalisations]
