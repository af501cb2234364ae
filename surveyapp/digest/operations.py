"""The weekly digest: what a manager should know about their subtree, by email.

Every number is the dashboard's, from the same functions: the index of a date
range is :func:`~surveyapp.analysis.scores.score_agency`'s, its change is
:func:`~surveyapp.analysis.change.compare`'s, so the link at the bottom of the
message opens a page that shows the same figures for the same week.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mail import BadHeaderError, Message
from sqlalchemy import func, select

from surveyapp.analysis.change import (
    compare,
    compared,
    previous_period,
    year_earlier,
)
from surveyapp.analysis.prepared import PreparedData, prepare
from surveyapp.analysis.ratings import LOW_RATING, lowest_rating
from surveyapp.analysis.scores import (
    Scores,
    ScoringError,
    compute_scores,
    score_agency,
)
from surveyapp.core.activity import counter_activity, silent_days
from surveyapp.core.links import external_url
from surveyapp.core.time import Period, local_time
from surveyapp.core.tree import subtree_ids
from surveyapp.digest.phrases import PHRASES
from surveyapp.extensions import db, mail
from surveyapp.models import (
    Agency,
    Comment,
    Counter,
    Response,
    Role,
    User,
    get_by_code,
)
from surveyapp.scoring import ResultRow
from surveyapp.scoring.change import Difference

log = logging.getLogger(__name__)

# The digest covers the last whole week; a counter with no response in it is silent.
DAYS = 7
INDEX = ("index", "SIPAS")


class DigestError(ValueError):
    """The digest cannot be sent as asked (an unknown agency code)."""


@dataclass(frozen=True)
class Headline:
    """The subtree's index over `period`, and its change since `against`."""

    period: Period
    row: ResultRow | None
    change: Difference | None
    against: Period | None

    @property
    def shown(self) -> bool:
        """Whether the index may be shown (enough responses, not hidden)."""
        return self.row is not None and self.row["estimate"] is not None


@dataclass(frozen=True)
class Drop:
    """A child unit whose index fell this week, beyond the noise."""

    name: str
    row: ResultRow
    change: Difference


@dataclass(frozen=True)
class SilentCounter:
    """An active counter with no response during the digest's week."""

    name: str
    service_point: str
    last_response: datetime | None  # local time; None: never any


@dataclass(frozen=True)
class Digest:
    """What one subtree's digest says, in no language yet."""

    agency: Agency
    week: Headline
    year: Headline
    drops: list[Drop]
    silent: list[SilentCounter]
    low_comments: int


def digest_periods(today: date) -> tuple[Period, Period]:
    """The last seven whole days and the year to date, both ending yesterday."""
    last = today - timedelta(days=1)
    return (
        Period.between(last - timedelta(days=DAYS - 1), last),
        Period.between(last.replace(month=1, day=1), last),
    )


def build_digest(agency: Agency, today: date) -> Digest:
    """Compute the digest of `agency`'s subtree for the week before `today`."""
    week, year = digest_periods(today)
    subtree = subtree_ids(agency.id)
    week_line, drops = _week(agency, subtree, week)
    return Digest(
        agency=agency,
        week=week_line,
        year=_year(agency, subtree, year),
        drops=drops,
        silent=silent_counters(subtree),
        low_comments=low_rated_comments(subtree, week),
    )


def _scores(agency: Agency, data: PreparedData) -> Scores | None:
    try:
        return score_agency(agency, data.period, data=data)
    except ScoringError:
        # No questionnaire for the agency: nothing to score, the rest still holds.
        log.warning("digest: no questionnaire to score %s", agency.code)
        return None


def _week(
    agency: Agency, subtree: set[int], week: Period
) -> tuple[Headline, list[Drop]]:
    before = previous_period(week)
    scores = _scores(agency, prepare(subtree, week))
    if scores is None:
        return Headline(week, None, None, before), []
    earlier = prepare(subtree, before) if before else None
    change = compare(scores, earlier, None).change_in("previous", agency.code, *INDEX)
    line = Headline(week, scores.row(agency.code, *INDEX), change, before)
    return line, significant_drops(scores, earlier)


def _year(agency: Agency, subtree: set[int], year: Period) -> Headline:
    against = year_earlier(year)
    scores = _scores(agency, prepare(subtree, year))
    if scores is None:
        return Headline(year, None, None, against)
    earlier = prepare(subtree, against) if against else None
    change = compare(scores, None, earlier).change_in("year_ago", agency.code, *INDEX)
    return Headline(year, scores.row(agency.code, *INDEX), change, against)


def significant_drops(scores: Scores, earlier: PreparedData | None) -> list[Drop]:
    """The root's children whose index fell from `earlier` with an interval of
    the change below 0 (the dashboard's marker, downwards)."""
    if earlier is None or scores.results is None:
        return []
    before = compute_scores(
        scores.root, earlier.period, scores.questionnaire, data=earlier
    )
    drops = []
    for child in scores.tree.children.get(scores.root.id, []):
        node = scores.tree.nodes[child]
        now = scores.row(node.code, *INDEX)
        change = compared(now, before.row(node.code, *INDEX), scores.level)
        if now is not None and change is not None and change.ci_high < 0:
            drops.append(Drop(node.name, now, change))
    return sorted(drops, key=lambda drop: drop.change.estimate)


def silent_counters(subtree: Iterable[int]) -> list[SilentCounter]:
    """The subtree's counters that the counters page marks silent (one rule:
    :func:`surveyapp.core.activity.is_silent`)."""
    counters = list(
        db.session.scalars(
            select(Counter)
            .join(Agency, Counter.service_point_id == Agency.id)
            .where(Counter.active.is_(True), Counter.service_point_id.in_(subtree))
            .order_by(Agency.name, Counter.name)
        )
    )
    activity = counter_activity(counters)
    return [
        SilentCounter(
            counter.name,
            counter.service_point.name,
            local_time(found.last_response) if found.last_response else None,
        )
        for counter in counters
        if (found := activity[counter.id]).silent
    ]


def low_rated_comments(subtree: Iterable[int], period: Period) -> int:
    """Visible comments of the period's low-rated responses (as the comments
    page's low-rating filter finds them)."""
    start, end = period.utc_bounds()
    count = db.session.scalar(
        select(func.count())
        .select_from(Comment)
        .join(Response, Comment.response_id == Response.id)
        .where(
            Comment.agency_id.in_(subtree),
            Comment.hidden.is_(False),
            Response.submitted_at >= start,
            Response.submitted_at < end,
            lowest_rating() <= LOW_RATING,
        )
    )
    return count or 0


def check_sender() -> None:
    """Refuse to start sending without a From address (every message would fail)."""
    if not current_app.config.get("MAIL_DEFAULT_SENDER"):
        raise DigestError("set MAIL_DEFAULT_SENDER, the digest's From address")


def recipients(agency_code: str | None = None) -> list[User]:
    """Active managers and admins who want the digest (those attached within
    `agency_code`'s subtree, when given)."""
    query = (
        select(User)
        .where(
            User.active.is_(True),
            User.digest_enabled.is_(True),
            User.role.in_([Role.ADMIN, Role.MANAGER]),
        )
        .order_by(User.email)
    )
    if agency_code is not None:
        agency = get_by_code(Agency, agency_code)
        if agency is None:
            raise DigestError(f"no agency with code {agency_code!r}")
        query = query.where(User.agency_id.in_(subtree_ids(agency.id)))
    return list(db.session.scalars(query))


def messages(users: Iterable[User], today: date) -> Iterator[tuple[User, Message]]:
    """Each user's message; a subtree's numbers are computed once for all its
    recipients."""
    digests: dict[int, Digest] = {}
    for user in users:
        if user.agency_id not in digests:
            digests[user.agency_id] = build_digest(user.agency, today)
        yield user, compose(user, digests[user.agency_id])


def user_language(user: User) -> str:
    """The user's language, or the app's default if it is not one we speak."""
    languages: tuple[str, ...] = current_app.config["LANGUAGES"]
    if user.language in languages:
        return user.language
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def compose(user: User, digest: Digest) -> Message:
    """The digest as a plain-text and HTML message in the user's language."""
    language = user_language(user)
    week = digest.week.period
    links = {
        "dashboard": external_url(
            "dashboard.agency",
            code=digest.agency.code,
            period="range",
            lang=language,
            **{"from": week.start.isoformat(), "to": week.last_day.isoformat()},
        ),
        "settings": external_url("auth.change_password", lang=language),
    }
    # Templates read the request (the language switch); the CLI has none.
    with current_app.test_request_context(), force_locale(language):
        subject = _(
            "Satisfaction this week: %(agency)s, %(period)s",
            agency=digest.agency.name,
            period=week.label,
        )
        context = {
            "digest": digest,
            "links": links,
            "subject": subject,
            "days": silent_days(),
        }
        context.update(PHRASES)
        body = render_template("digest/email.txt", **context)
        html = render_template("digest/email.html", **context)
    return Message(subject=subject, recipients=[user.email], body=body, html=html)


def deliver(message: Message) -> str | None:
    """Send `message`; the SMTP server's refusal as text, or None when sent."""
    try:
        mail.send(message)
    except (OSError, BadHeaderError) as error:
        # smtplib's errors are OSErrors, as are a refused or dropped connection;
        # a line break in a header (an agency name) is refused before sending.
        # One recipient's failure must not stop the others' digests.
        log.warning("digest to %s not sent: %s", message.recipients, error)
        return str(error) or type(error).__name__
    return None
