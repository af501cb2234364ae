"""Citizens' comments: listing with filters, and moderation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, func, not_, select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from surveyapp.analysis.ratings import LOW_RATING, lowest_rating
from surveyapp.analysis.selection import counts_in_scores
from surveyapp.core.access import can_see
from surveyapp.core.audit import record
from surveyapp.core.time import Period
from surveyapp.core.tree import subtree_ids
from surveyapp.dashboard.words import FrequentTerms, frequent_terms
from surveyapp.extensions import db
from surveyapp.models import Agency, Comment, Response, ServiceField, utc_now
from surveyapp.models.text import fold
from surveyapp.web.hygiene import page_number

PAGE_SIZE = 50
MAX_SEARCH = 100
# The frequent words are counted over at most this many of the newest comments
# selected, so that a province's page reads a bounded amount of text.
MAX_WORD_COMMENTS = 5000


@dataclass(frozen=True)
class CommentFilter:
    """Filters of the comments page, read from the query string."""

    low_only: bool = False
    field_code: str = ""
    page: int = 1
    # Words to find, typed with or without accents.
    search: str = ""
    # Local days, both included; an unreadable date is ignored.
    first: date | None = None
    last: date | None = None
    # Only comments of responses the anomaly rules keep out of the scores.
    flagged_only: bool = False
    # Only hidden comments (for those who may see them).
    hidden_only: bool = False

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> CommentFilter:
        return cls(
            args.get("low") == "1",
            args.get("field", ""),
            page_number(args),
            args.get("q", "").strip()[:MAX_SEARCH],
            _day(args.get("from", "")),
            _day(args.get("to", "")),
            args.get("flagged") == "1",
            args.get("hidden") == "1",
        )

    def query_args(self) -> dict[str, str]:
        """The filters as query arguments, for the next page's link."""
        wanted = {
            "low": "1" if self.low_only else "",
            "field": self.field_code,
            "q": self.search,
            "from": self.first.isoformat() if self.first else "",
            "to": self.last.isoformat() if self.last else "",
            "flagged": "1" if self.flagged_only else "",
            "hidden": "1" if self.hidden_only else "",
        }
        return {key: value for key, value in wanted.items() if value}

    def searching(self, words: str) -> dict[str, str]:
        """The query arguments of these filters searching `words` instead."""
        return {**self.query_args(), "q": words}

    @property
    def needs_response(self) -> bool:
        return bool(
            self.low_only
            or self.field_code
            or self.first
            or self.last
            or self.flagged_only
        )


def _day(text: str) -> date | None:
    try:
        day = date.fromisoformat(text)
        Period.between(day, day)  # a year the app keeps
    except ValueError:  # PeriodError is one too
        return None
    return day


@dataclass(frozen=True)
class CommentPage:
    """One page of comments with the lowest rating of each response."""

    items: list[tuple[Comment, int | None]]
    total: int
    fields: list[ServiceField]
    page: int
    # Hidden comments of the whole subtree, whatever the filters.
    hidden: int = 0
    page_size: int = PAGE_SIZE

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.total


def _where(
    agency: Agency, filters: CommentFilter, include_hidden: bool
) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [Comment.agency_id.in_(subtree_ids(agency.id))]
    if not include_hidden:
        clauses.append(Comment.hidden.is_(False))
    if filters.hidden_only:
        clauses.append(Comment.hidden.is_(True))
    if filters.low_only:
        clauses.append(lowest_rating() <= LOW_RATING)
    if filters.field_code:
        clauses.append(
            Response.service_field_id.in_(
                select(ServiceField.id).where(ServiceField.code == filters.field_code)
            )
        )
    if filters.search:
        clauses.append(
            Comment.search_text.contains(fold(filters.search), autoescape=True)
        )
    if filters.first:
        clauses.append(
            Response.submitted_at
            >= Period.between(filters.first, filters.first).utc_bounds()[0]
        )
    if filters.last:
        clauses.append(
            Response.submitted_at
            < Period.between(filters.last, filters.last).utc_bounds()[1]
        )
    if filters.flagged_only:
        clauses.append(not_(counts_in_scores()))
    return clauses


def comment_page(
    agency: Agency, filters: CommentFilter, include_hidden: bool
) -> CommentPage:
    """Comments given in `agency`'s subtree, newest first."""
    where = _where(agency, filters, include_hidden)
    counted = select(func.count()).select_from(Comment)
    if filters.needs_response:
        # Only these filters need the response; the plain count stays on the
        # comments, not a join with every response of the subtree.
        counted = counted.join(Response, Comment.response_id == Response.id)
    total = db.session.scalar(counted.where(*where)) or 0
    rows = db.session.execute(
        select(Comment, lowest_rating())
        .join(Response, Comment.response_id == Response.id)
        .where(*where)
        .options(
            joinedload(Comment.response).joinedload(Response.service_field),
            joinedload(Comment.response).joinedload(Response.agency),
            joinedload(Comment.response).joinedload(Response.counter),
        )
        .order_by(Response.submitted_at.desc(), Comment.id.desc())
        .limit(PAGE_SIZE)
        .offset((filters.page - 1) * PAGE_SIZE)
    ).all()
    fields = list(
        db.session.scalars(select(ServiceField).order_by(ServiceField.position))
    )
    hidden = db.session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(Comment.agency_id.in_(subtree_ids(agency.id)), Comment.hidden)
    )
    return CommentPage(
        [(row[0], row[1]) for row in rows], total, fields, filters.page, hidden or 0
    )


def _newest_bodies(agency: Agency, filters: CommentFilter, limit: int) -> Iterator[str]:
    query = select(Comment.body)
    if filters.needs_response:
        query = query.join(Response, Comment.response_id == Response.id)
    # Ids grow with time: the newest comments without sorting every response.
    yield from db.session.scalars(
        query.where(*_where(agency, filters, include_hidden=False))
        .order_by(Comment.id.desc())
        .limit(limit)
    )


def frequent_comment_terms(agency: Agency, filters: CommentFilter) -> FrequentTerms:
    """The frequent words and phrases of the shown comments (never hidden ones).

    Over the newest MAX_WORD_COMMENTS comments the filters select; one more is
    read to know whether there were more.
    """
    return frequent_terms(
        _newest_bodies(agency, filters, MAX_WORD_COMMENTS + 1), MAX_WORD_COMMENTS
    )


def get_visible_comment_or_404(comment_id: int) -> Comment:
    """The comment if the current user may see its agency; 404 otherwise."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or not can_see(current_user, comment.response.agency):
        abort(404)
    return comment


def set_hidden(comment: Comment, reason: str | None) -> None:
    """Hide a comment for `reason` (a key of HIDE_REASONS), or show it (None).

    The text is kept either way, and the change audited with its reason.
    """
    hidden = reason is not None
    comment.hidden = hidden
    comment.hidden_at = utc_now() if hidden else None
    comment.hidden_by_id = current_user.id if hidden else None
    comment.hidden_reason = reason
    details = {"agency": comment.response.agency.code}
    if reason is not None:
        details["reason"] = reason
    record(
        "comment_hide" if hidden else "comment_show",
        target=f"comment {comment.id}",
        details=details,
    )
