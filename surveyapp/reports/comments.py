"""The comments sheet of the yearly report: the year's visible comments.

Read live for every export, finalised or not: a comment hidden after the year
was finalised must not reach a file handed on. Comment text is the citizen's
own; the XLSX writer neutralises what a spreadsheet would run as a formula.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from surveyapp.analysis.ratings import mean_rating
from surveyapp.core.time import Period, app_zone, as_utc
from surveyapp.core.tree import subtree_ids
from surveyapp.extensions import db
from surveyapp.models import Agency, Comment, Counter, Response, get_by_code
from surveyapp.reports.tables import Cell, Column, Table


def comments_table(agency_code: str, year: int) -> Table:
    """Visible comments of the subtree's responses in the local `year`, oldest
    first, with the service point, counter, local time and mean rating."""
    columns = [
        Column(_("Date"), "datetime", 17),
        Column(_("Agency code"), width=16),
        Column(_("Agency"), width=32),
        Column(_("Counter"), width=28),
        Column(_("Mean rating (1–5)"), "rating", 12),
        Column(_("Comment"), width=80),
    ]
    agency = get_by_code(Agency, agency_code)
    if agency is None:  # a finalised report of an agency since removed
        return Table(_("Comments"), columns, [])
    start, end = Period.year(year).utc_bounds()
    found = db.session.execute(
        select(
            Response.submitted_at,
            Agency.code,
            Agency.name,
            Counter.name,
            Counter.code,
            mean_rating(),
            Comment.body,
        )
        .select_from(Comment)
        .join(Response, Comment.response_id == Response.id)
        .join(Agency, Agency.id == Comment.agency_id)
        .outerjoin(Counter, Counter.id == Response.counter_id)
        .where(
            Comment.agency_id.in_(subtree_ids(agency.id)),
            Comment.hidden.is_(False),
            Response.submitted_at >= start,
            Response.submitted_at < end,
        )
        .order_by(Response.submitted_at, Comment.id)
    ).tuples()
    zone = app_zone()  # once: a province's year has tens of thousands of comments
    rows: list[list[Cell]] = [
        [
            # A spreadsheet date (sortable, filterable) shown dd/mm/yyyy HH:MM.
            as_utc(submitted).astimezone(zone).replace(tzinfo=None, microsecond=0),
            unit_code,
            unit,
            f"{counter} ({counter_code})" if counter_code else "",
            float(mean) if mean is not None else None,
            body,
        ]
        for submitted, unit_code, unit, counter, counter_code, mean, body in found
    ]
    return Table(_("Comments"), columns, rows)
