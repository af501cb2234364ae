"""Citizens' comments: listing with filters, and moderation."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, ScalarSelect, func, select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from surveyapp.core.access import can_see
from surveyapp.core.audit import record
from surveyapp.core.tree import subtree_ids
from surveyapp.extensions import db
from surveyapp.models import Agency, Answer, Comment, Response, ServiceField, utc_now
from surveyapp.web.hygiene import page_number

PAGE_SIZE = 50
LOW_RATING = 2


@dataclass(frozen=True)
class CommentFilter:
    """Filters of the comments page, read from the query string."""

    low_only: bool = False
    field_code: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> CommentFilter:
        return cls(args.get("low") == "1", args.get("field", ""), page_number(args))


@dataclass(frozen=True)
class CommentPage:
    """One page of comments with the lowest rating of each response."""

    items: list[tuple[Comment, int | None]]
    total: int
    fields: list[ServiceField]
    page: int
    page_size: int = PAGE_SIZE

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.total


def _lowest_rating() -> ScalarSelect[int | None]:
    """The lowest answer of the comment's response, looked up per comment.

    Correlated, so the database reads the answers of the comments it returns
    (or filters), not a grouped pass over every answer ever given.
    """
    return (
        select(func.min(Answer.value))
        .where(Answer.response_id == Response.id)
        .correlate(Response)
        .scalar_subquery()
    )


def _where(
    agency: Agency, filters: CommentFilter, include_hidden: bool
) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [Comment.agency_id.in_(subtree_ids(agency.id))]
    if not include_hidden:
        clauses.append(Comment.hidden.is_(False))
    if filters.low_only:
        clauses.append(_lowest_rating() <= LOW_RATING)
    if filters.field_code:
        clauses.append(
            Response.service_field_id.in_(
                select(ServiceField.id).where(ServiceField.code == filters.field_code)
            )
        )
    return clauses


def comment_page(
    agency: Agency, filters: CommentFilter, include_hidden: bool
) -> CommentPage:
    """Comments given in `agency`'s subtree, newest first."""
    where = _where(agency, filters, include_hidden)
    counted = select(func.count()).select_from(Comment)
    if filters.low_only or filters.field_code:
        # Only these filters need the response; the plain count stays on the
        # comments, not a join with every response of the subtree.
        counted = counted.join(Response, Comment.response_id == Response.id)
    total = db.session.scalar(counted.where(*where)) or 0
    rows = db.session.execute(
        select(Comment, _lowest_rating())
        .join(Response, Comment.response_id == Response.id)
        .where(*where)
        .options(joinedload(Comment.response).joinedload(Response.service_field))
        .order_by(Response.submitted_at.desc(), Comment.id.desc())
        .limit(PAGE_SIZE)
        .offset((filters.page - 1) * PAGE_SIZE)
    ).all()
    fields = list(
        db.session.scalars(select(ServiceField).order_by(ServiceField.position))
    )
    return CommentPage([(row[0], row[1]) for row in rows], total, fields, filters.page)


def get_visible_comment_or_404(comment_id: int) -> Comment:
    """The comment if the current user may see its agency; 404 otherwise."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or not can_see(current_user, comment.response.agency):
        abort(404)
    return comment


def set_hidden(comment: Comment, hidden: bool) -> None:
    """Hide or show a comment; the text is kept either way, and the change audited."""
    comment.hidden = hidden
    comment.hidden_at = utc_now() if hidden else None
    comment.hidden_by_id = current_user.id if hidden else None
    record(
        "comment_hide" if hidden else "comment_show",
        target=f"comment {comment.id}",
        details={"agency": comment.response.agency.code},
    )
