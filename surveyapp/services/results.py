"""From stored responses to satisfaction indices: ORM rows -> arrays -> scoring.

The scoring library knows nothing of agencies or dates; this module chooses the
responses (an agency subtree, a period, one questionnaire version), asks
:mod:`surveyapp.services.weights` for weights and strata, and hands arrays to
:func:`surveyapp.scoring.estimate`.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cached_property
from zoneinfo import ZoneInfo

import numpy as np
from flask import current_app
from flask_babel import gettext as _
from numpy.typing import NDArray
from sqlalchemy import ColumnElement, func, or_, select

from surveyapp.auth.access import subtree_ids
from surveyapp.extensions import db
from surveyapp.models import (
    EXCLUDED_FLAG_STATES,
    Agency,
    Answer,
    Questionnaire,
    Response,
    ServiceField,
)
from surveyapp.scoring import (
    DomainSpec,
    IntervalMethod,
    RankIntervals,
    ResultRow,
    Results,
    SurveyData,
    estimate,
    rank_domains,
)
from surveyapp.services.export import criterion_columns
from surveyapp.services.weights import Weighting, weigh_responses

FIRST_YEAR, LAST_YEAR = 1900, 2999
DEFAULT_METHOD: IntervalMethod = "kg"
DEFAULT_LEVEL = 0.95


def local_today() -> date:
    """Today in the app's time zone (the server's clock may be in UTC)."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


class ScoringError(ValueError):
    """The scores cannot be computed as asked (the message says why)."""


@dataclass(frozen=True)
class Period:
    """Whole days [start, end) in the local time zone, with a display label."""

    start: date
    end: date
    kind: str
    label: str

    def __post_init__(self) -> None:
        # Far years overflow time-zone arithmetic and have no surveys anyway.
        if not (FIRST_YEAR <= self.start.year and self.end.year <= LAST_YEAR):
            raise ScoringError(
                f"a period must lie between {FIRST_YEAR} and {LAST_YEAR}"
            )

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year + 1, 1, 1), "year", str(year))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise ScoringError(f"quarter must be 1 to 4, not {quarter}")
        first = 3 * (quarter - 1) + 1
        end = date(year + 1, 1, 1) if quarter == 4 else date(year, first + 3, 1)
        return cls(date(year, first, 1), end, "quarter", f"Q{quarter}/{year}")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        if not 1 <= month <= 12:
            raise ScoringError(f"month must be 1 to 12, not {month}")
        days = calendar.monthrange(year, month)[1]
        end = date(year, month, days)
        return cls(
            date(year, month, 1),
            date.fromordinal(end.toordinal() + 1),
            "month",
            f"{month:02d}/{year}",
        )

    @classmethod
    def between(cls, first_day: date, last_day: date) -> Period:
        if last_day < first_day:
            raise ScoringError("the end date is before the start date")
        return cls(
            first_day,
            date.fromordinal(last_day.toordinal() + 1),
            "range",
            f"{first_day:%d/%m/%Y}–{last_day:%d/%m/%Y}",
        )

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """The period's first and last instants, local midnight to local midnight."""
        zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
        return tuple(  # type: ignore[return-value]
            datetime.combine(day, time(0), zone).astimezone(UTC)
            for day in (self.start, self.end)
        )


def counts_in_scores() -> ColumnElement[bool]:
    """Responses flagged as anomalous (and not cleared) stay out of the scores."""
    return or_(
        Response.flag_status.is_(None),
        Response.flag_status.not_in(EXCLUDED_FLAG_STATES),
    )


@dataclass(frozen=True)
class SurveyRows:
    """One questionnaire's responses as arrays, n responses x C criteria."""

    response_ids: NDArray[np.int64]
    agency_ids: list[int]
    field_codes: list[str]
    submitted_at: list[datetime]
    answers: NDArray[np.int8]
    columns: list[str]

    def __len__(self) -> int:
        return len(self.agency_ids)


def load_rows(
    agency_ids: set[int], questionnaire: Questionnaire, period: Period
) -> SurveyRows:
    """The responses to `questionnaire` given in `agency_ids` during `period`."""
    start, end = period.utc_bounds()
    chosen = (
        Response.questionnaire_id == questionnaire.id,
        Response.agency_id.in_(agency_ids),
        Response.submitted_at >= start,
        Response.submitted_at < end,
        counts_in_scores(),
    )
    responses = db.session.execute(
        select(
            Response.id, Response.agency_id, ServiceField.code, Response.submitted_at
        )
        .join(ServiceField, Response.service_field_id == ServiceField.id)
        .where(*chosen)
        .order_by(Response.id)
    ).all()
    columns = criterion_columns(questionnaire)
    column_of = {criterion_id: i for i, (criterion_id, _) in enumerate(columns)}
    row_of = {row[0]: i for i, row in enumerate(responses)}
    answers = np.zeros((len(responses), len(columns)), dtype=np.int8)
    for response_id, criterion_id, value in db.session.execute(
        select(Answer.response_id, Answer.criterion_id, Answer.value)
        .join(Response, Answer.response_id == Response.id)
        .where(*chosen, Answer.value.is_not(None))
    ):
        answers[row_of[response_id], column_of[criterion_id]] = value
    return SurveyRows(
        response_ids=np.array([r[0] for r in responses], dtype=np.int64),
        agency_ids=[r[1] for r in responses],
        field_codes=[r[2] for r in responses],
        submitted_at=[r[3] for r in responses],
        answers=answers,
        columns=[name for _, name in columns],
    )


@dataclass(frozen=True)
class RankedAgency:
    """One child agency in a ranking table."""

    agency: Agency
    row: ResultRow | None
    best: int
    worst: int
    ranked: bool
    out_of: int
    response_rate: float | None

    @property
    def label(self) -> str:
        if not self.ranked:
            return "—"
        if self.best == self.worst:
            return f"{self.best} / {self.out_of}"
        return f"{self.best}–{self.worst} / {self.out_of}"


@dataclass
class Scores:
    """Estimates for an agency subtree in a period, with what produced them."""

    root: Agency
    period: Period
    questionnaire: Questionnaire
    rows: SurveyRows
    weighting: Weighting | None
    results: Results | None
    agencies: dict[str, Agency]
    method: str
    level: float
    notes: list[str] = field(default_factory=list)

    def row(self, domain: str, level: str, code: str) -> ResultRow | None:
        """One result row, or None when the domain has no responses."""
        return self._row_index.get((domain, level, code))

    def domain_rows(self, domain: str) -> list[ResultRow]:
        """All rows of one domain: criteria, factors, then the index."""
        return [row for key, row in self._row_index.items() if key[0] == domain]

    @cached_property
    def _row_index(self) -> dict[tuple[str, str, str], ResultRow]:
        if self.results is None:
            return {}
        return {(r["domain"], r["level"], r["code"]): r for r in self.results.rows()}

    def response_count(self, domain: str) -> int:
        row = self.row(domain, "index", "SIPAS")
        return row["n"] if row else 0

    def response_rate(self, agency: Agency) -> float | None:
        if self.weighting is None or not self.weighting.counted:
            return None
        return self.weighting.response_rate(subtree_ids(agency.id))

    def ranking(self) -> list[RankedAgency]:
        """The root's children with joint rank intervals on the SIPAS index."""
        children = sorted(self.root.children, key=lambda a: a.code)
        if self.results is None or not children:
            return []
        names = {child.code for child in children}
        others = tuple(set(str(d) for d in self.results.domain) - names)
        ranked_names, intervals = rank_domains(
            self.results, level=self.level, exclude=others
        )
        position = {name: i for i, name in enumerate(ranked_names)}
        table = [
            _ranked(child, self, position.get(child.code), intervals)
            for child in children
        ]
        return sorted(
            table,
            key=lambda r: (
                not r.ranked,
                -(r.row["estimate"] or 0)
                if r.row and r.row["estimate"] is not None
                else 1,
                r.agency.code,
            ),
        )


def _ranked(
    agency: Agency, scores: Scores, position: int | None, intervals: RankIntervals
) -> RankedAgency:
    row = scores.row(agency.code, "index", "SIPAS")
    if position is None:
        return RankedAgency(
            agency, row, 0, 0, False, intervals.n_ranked, scores.response_rate(agency)
        )
    return RankedAgency(
        agency,
        row,
        int(intervals.best[position]),
        int(intervals.worst[position]),
        bool(intervals.ranked[position]),
        intervals.n_ranked,
        scores.response_rate(agency),
    )


def questionnaires_in_use(
    agency_ids: set[int], period: Period
) -> list[tuple[Questionnaire, int]]:
    """Questionnaire versions answered in the subtree in the period, most used first."""
    start, end = period.utc_bounds()
    rows = db.session.execute(
        select(Response.questionnaire_id, func.count())
        .where(
            Response.agency_id.in_(agency_ids),
            Response.submitted_at >= start,
            Response.submitted_at < end,
            counts_in_scores(),
        )
        .group_by(Response.questionnaire_id)
        .order_by(func.count().desc())
    ).all()
    return [(db.session.get(Questionnaire, qid), count) for qid, count in rows]  # type: ignore[misc]


def compute_scores(
    root: Agency,
    period: Period,
    questionnaire: Questionnaire | None = None,
    method: IntervalMethod = DEFAULT_METHOD,
    level: float = DEFAULT_LEVEL,
) -> Scores:
    """Estimate every agency of `root`'s subtree over `period`."""
    tree_ids = subtree_ids(root.id)
    questionnaire = questionnaire or root.active_questionnaire()
    if questionnaire is None:
        raise ScoringError(f"{root.code} has no questionnaire")
    rows = load_rows(tree_ids, questionnaire, period)
    agencies = {
        a.code: a
        for a in db.session.scalars(select(Agency).where(Agency.id.in_(tree_ids)))
    }
    scores = Scores(
        root, period, questionnaire, rows, None, None, agencies, method, level
    )
    if len(rows) < 2:
        scores.notes.append(_("Too few responses to estimate anything."))
        return scores
    weighting = weigh_responses(
        rows.agency_ids, rows.field_codes, period.start, period.end
    )
    scores.weighting = weighting
    scores.notes.extend(weighting.notes)
    code_of = {a.id: a.code for a in agencies.values()}
    parent_of = {
        a.code: (code_of.get(a.parent_id) if a.id != root.id and a.parent_id else None)
        for a in agencies.values()
    }
    labels = np.array([code_of[a] for a in rows.agency_ids], dtype=object)
    try:
        data = SurveyData.from_arrays(
            rows.answers,
            rows.columns,
            weighting.weights,
            np.array(weighting.strata, dtype=object),
        )
        domains = DomainSpec.from_tree(labels, parent_of, include_all=False)
        scores.results = estimate(data, domains, method=method, level=level)
    except ValueError as error:
        raise ScoringError(str(error)) from error
    return scores


@dataclass(frozen=True)
class TrendPoint:
    """The SIPAS index of one month."""

    month: str
    row: ResultRow | None


def compute_trend(
    root: Agency,
    questionnaire: Questionnaire,
    last_month: date,
    months: int = 12,
    level: float = DEFAULT_LEVEL,
) -> list[TrendPoint]:
    """The index of each of the `months` months up to `last_month`, with intervals."""
    first = shift_month(last_month.year, last_month.month, 1 - months)
    labels = [
        "{}-{:02d}".format(*shift_month(first[0], first[1], i)) for i in range(months)
    ]
    window = Period(
        date(*first, 1),
        Period.month(last_month.year, last_month.month).end,
        "range",
        f"{labels[0]}–{labels[-1]}",
    )
    rows = load_rows(subtree_ids(root.id), questionnaire, window)
    if len(rows) < 2:
        return [TrendPoint(label, None) for label in labels]
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    month_of = np.array(
        [
            _as_utc(moment).astimezone(zone).strftime("%Y-%m")
            for moment in rows.submitted_at
        ],
        dtype=object,
    )
    # Each month is weighted to its own dossier counts, in strata of its own, so
    # a point of the trend equals that month's index on the dashboard.
    keep: list[NDArray[np.intp]] = []
    weights: list[NDArray[np.float64]] = []
    strata: list[str] = []
    for label in labels:
        members = np.flatnonzero(month_of == label)
        if members.size < 2:
            continue  # too few to estimate; the point stays empty
        year, month = (int(part) for part in label.split("-"))
        period = Period.month(year, month)
        weighting = weigh_responses(
            [rows.agency_ids[i] for i in members],
            [rows.field_codes[i] for i in members],
            period.start,
            period.end,
        )
        keep.append(members)
        weights.append(weighting.weights)
        strata.extend(f"{label}|{stratum}" for stratum in weighting.strata)
    if not keep:
        return [TrendPoint(label, None) for label in labels]
    chosen = np.concatenate(keep)
    try:
        data = SurveyData.from_arrays(
            rows.answers[chosen],
            rows.columns,
            np.concatenate(weights),
            np.array(strata, dtype=object),
        )
        results = estimate(
            data,
            DomainSpec.from_labels(month_of[chosen], include_all=False),
            level=level,
        )
    except ValueError:
        return [TrendPoint(label, None) for label in labels]
    by_month = {row["domain"]: row for row in results.rows() if row["level"] == "index"}
    return [TrendPoint(label, by_month.get(label)) for label in labels]


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    """(year, month) `delta` months after the given month (negative: before)."""
    year_shift, month_index = divmod(month - 1 + delta, 12)
    return year + year_shift, month_index + 1


def _as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
