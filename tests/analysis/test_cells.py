"""Response cells give exactly the numbers of the responses they sum.

The pages read cells plus unfolded responses (surveyapp.analysis.prepared); the
finalisation and `flask responses export` read the responses. These tests hold
the two paths together: after the demo's own cells, after a rebuild, with
responses not yet folded, after folding, and after a review takes a folded
response out.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from surveyapp.analysis.distribution import answer_distribution
from surveyapp.analysis.folding import fold_responses, rebuild_cells
from surveyapp.analysis.indicator766 import indicator_766
from surveyapp.analysis.prepared import (
    PreparedData,
    prepare,
    prepare_from_responses,
)
from surveyapp.analysis.scores import compute_scores
from surveyapp.analysis.trend import compute_trend, trend_window
from surveyapp.core.time import Period
from surveyapp.core.tree import subtree_ids
from surveyapp.extensions import db
from surveyapp.models import (
    Agency,
    AnomalyState,
    Questionnaire,
    Response,
    ResponseCell,
    get_by_code,
)
from surveyapp.review.operations import set_review_state
from surveyapp.scoring import ResultRow, poststratify
from tests.factories import add_responses, make_site

YEAR = date.today().year - 1


@pytest.fixture
def demo(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["demo", "load", "--responses", "6000"])
    assert result.exit_code == 0, result.output


def _stored() -> dict[tuple[int, int, int, int], tuple[int, int, int, bytes]]:
    return {
        (c.questionnaire_id, c.agency_id, c.service_field_id, c.month): (
            c.responses,
            c.receipt_responses,
            c.receipt_dissatisfied,
            c.sums,
        )
        for c in db.session.scalars(select(ResponseCell))
    }


def _year_cells_add_up_their_months(
    stored: dict[tuple[int, int, int, int], tuple[int, int, int, bytes]],
) -> None:
    years: dict[tuple[int, int, int, int], np.ndarray] = {}
    for (version, agency, field, month), (*counts, sums) in stored.items():
        if month % 100:
            summed = np.concatenate([counts, np.frombuffer(sums, "<i4")])
            key = (version, agency, field, month // 100 * 100)
            years[key] = years.get(key, 0) + summed
    assert years
    for key, summed in years.items():
        *counts, sums = stored[key]
        assert np.array_equal(
            np.concatenate([counts, np.frombuffer(sums, "<i4")]), summed
        )
    assert len(stored) == len(years) + sum(1 for key in stored if key[3] % 100)


def _same_rows(cells: list[ResultRow], responses: list[ResultRow]) -> None:
    assert [(r["domain"], r["level"], r["code"]) for r in cells] == [
        (r["domain"], r["level"], r["code"]) for r in responses
    ]
    for mine, theirs in zip(cells, responses, strict=True):
        for key in ("estimate", "se", "ci_low", "ci_high", "df"):
            a, b = mine[key], theirs[key]  # type: ignore[literal-required]
            if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
                assert (a is None or math.isnan(a)) == (b is None or math.isnan(b))
            else:
                assert a == pytest.approx(b, rel=1e-9, abs=1e-12), (mine, key)
        assert (mine["n"], mine["flag"]) == (theirs["n"], theirs["flag"])


def _same_sums(a: PreparedData, b: PreparedData) -> None:
    counts = [{q: s.n_responses for q, s in d.sums.items() if len(s)} for d in (a, b)]
    assert counts[0] == counts[1]
    for questionnaire_id in counts[0]:
        sums = a.sums[questionnaire_id]
        mine, theirs = sums.as_year_cells(), b.sums[questionnaire_id].as_year_cells()
        assert np.array_equal(mine.squares, theirs.squares)
        assert np.array_equal(mine.vectors, theirs.vectors)
        assert np.array_equal(mine.answers, theirs.answers)


def _scores_both_ways(code: str, period: Period) -> None:
    """The scores from the cells equal those from the responses alone."""
    agency = get_by_code(Agency, code)
    assert agency is not None
    subtree = subtree_ids(agency.id)
    from_cells = prepare(subtree, period)
    from_responses = prepare_from_responses(subtree, period)
    if period.kind == "year":
        assert from_cells.whole_years == {period.start.year}
        # The year cells and the months of the same read give the same numbers.
        months = prepare(subtree, period, months=period)
        assert months.within(period).whole_years == from_cells.whole_years
        quarter = Period.quarter(period.start.year, 2)
        _same_sums(months.within(quarter), prepare_from_responses(subtree, quarter))
    assert {q: s.n_responses for q, s in from_cells.sums.items()} == {
        q: s.n_responses for q, s in from_responses.sums.items()
    }
    for questionnaire in db.session.scalars(select(Questionnaire)):
        a = compute_scores(agency, period, questionnaire, data=from_cells)
        b = compute_scores(agency, period, questionnaire, data=from_responses)
        assert a.notes == b.notes
        _same_rows(a.published_rows(), b.published_rows())
        assert answer_distribution(a.sums) == answer_distribution(b.sums)
    assert indicator_766(agency, period, from_cells) == indicator_766(
        agency, period, from_responses
    )


def test_demo_cells_equal_a_rebuild_and_the_responses(app: Flask, demo: None) -> None:
    with app.app_context():
        written = _stored()
        assert written, "the demo writes its cells"
        assert (
            db.session.scalar(select(func.count()).where(Response.folded.is_(False)))
            == 0
        )
        _year_cells_add_up_their_months(written)
        rebuild_cells()
        db.session.commit()
        assert _stored() == written
        _scores_both_ways("TM", Period.year(YEAR))
        _scores_both_ways("TM-PHB", Period.quarter(YEAR, 2))


def test_unfolded_responses_count_before_and_after_the_fold(
    app: Flask, demo: None
) -> None:
    with app.app_context():
        site = make_site("F")
        ids = add_responses(
            site.counter,
            count=5,
            ratings=[1, 2, 5, 4],
            submitted_at=datetime(YEAR, 2, 1, 3, tzinfo=UTC),
        )
        ids += add_responses(
            site.other_counter,
            count=3,
            ratings=[5, 4, None],
            field_code="dat-dai",
            submitted_at=datetime(YEAR, 3, 10, 3, tzinfo=UTC),
        )
        period = Period.year(YEAR)
        before = _stored()
        _scores_both_ways(site.province, period)
        assert fold_responses() == len(ids)
        db.session.commit()
        # Two month cells, and their year cells.
        assert len(_stored()) == len(before) + 4
        _scores_both_ways(site.province, period)
        assert fold_responses() == 0, "nothing is folded twice"


def test_a_confirmed_response_leaves_its_cell_and_a_cleared_one_returns(
    app: Flask, demo: None
) -> None:
    with app.app_context():
        site = make_site("R")
        when = datetime(YEAR, 5, 2, 4, tzinfo=UTC)
        kept = add_responses(site.counter, count=4, ratings=[4, 5], submitted_at=when)
        doubtful = add_responses(site.counter, count=1, ratings=[1], submitted_at=when)[
            0
        ]
        fold_responses()
        db.session.commit()
        period = Period.month(YEAR, 5)
        response = db.session.get(Response, doubtful)
        assert response is not None and response.folded
        agency = get_by_code(Agency, site.province)
        assert agency is not None

        def counted() -> int:
            data = prepare(subtree_ids(agency.id), period)
            return sum(s.n_responses for s in data.sums.values())

        assert counted() == len(kept) + 1
        response.anomaly_state = AnomalyState.FLAGGED  # as the rules would
        set_review_state(response, AnomalyState.CONFIRMED)
        db.session.commit()
        assert not response.folded
        assert counted() == len(kept)
        _scores_both_ways(site.province, period)
        set_review_state(response, AnomalyState.CLEARED)
        db.session.commit()
        assert counted() == len(kept) + 1, "read unfolded until the next fold"
        fold_responses()
        db.session.commit()
        assert counted() == len(kept) + 1
        _scores_both_ways(site.province, period)


def test_trend_from_the_dashboard_read_equals_its_own(app: Flask, demo: None) -> None:
    with app.app_context():
        agency = get_by_code(Agency, "TM")
        assert agency is not None
        last = date(YEAR, 12, 31)
        questionnaire = agency.active_questionnaire()
        assert questionnaire is not None
        window = trend_window(last)
        shared = prepare(subtree_ids(agency.id), window, months=window)
        assert shared.whole_years == {YEAR}, "the year is read as year cells too"
        raw = prepare_from_responses(subtree_ids(agency.id), window)
        with_cells = compute_trend(agency, questionnaire, last, data=shared)
        alone = compute_trend(agency, questionnaire, last, data=raw)
        assert [p.month for p in with_cells] == [p.month for p in alone]
        assert sum(p.row is not None for p in with_cells) >= 10
        _same_rows(
            [p.row for p in with_cells if p.row is not None],
            [p.row for p in alone if p.row is not None],
        )


def test_poststratify_of_groups_equals_that_of_their_responses() -> None:
    agency = np.array(["A", "A", "A", "B", "B", "C"], dtype=object)
    field = np.array(["x", "y", "x", "x", "x", "x"], dtype=object)
    size = np.array([3, 1, 2, 1, 1, 4])
    dossiers = (["A", "A", "B", "C"], ["x", "y", "x", "x"], [50, 7, 9, 40])
    groups = poststratify(agency, field, *dossiers, response_count=size)
    expanded = poststratify(np.repeat(agency, size), np.repeat(field, size), *dossiers)
    assert np.array_equal(np.repeat(groups.weights, size), expanded.weights)
    assert np.array_equal(np.repeat(groups.stratum, size), expanded.stratum)
    assert groups.collapsed == expanded.collapsed
    with pytest.raises(ValueError, match="whole numbers of at least 1"):
        poststratify(agency, field, *dossiers, response_count=size - 1)


def test_the_answer_distribution_counts_each_answer_and_no_opinion(
    app: Flask,
) -> None:
    """Counts of 1..5 per criterion and "no opinion" (stored empty), the same
    from the unfolded responses, from the cells after the fold, and after a
    rebuild."""
    with app.app_context():
        site = make_site("D")
        when = datetime(YEAR, 6, 30, 18, tzinfo=UTC)  # 1 July, local time
        given = {(1, 2, 5, 4): 5, (5, None, 3): 3}
        for ratings, count in given.items():
            add_responses(site.counter, list(ratings), count, submitted_at=when)
        agency = get_by_code(Agency, site.province)
        assert agency is not None
        period = Period.month(YEAR, 7)
        n_criteria = 16
        expected = []
        for c in range(n_criteria):
            counts = [0] * 5
            no_opinion = 0
            for ratings, count in given.items():
                value = ratings[c % len(ratings)]
                if value is None:
                    no_opinion += count
                else:
                    counts[value - 1] += count
            expected.append((tuple(counts), no_opinion))

        def distribution() -> list[tuple[tuple[int, ...], int]]:
            data = prepare(subtree_ids(agency.id), period)
            (sums,) = data.sums.values()
            return [(d.counts, d.no_opinion) for d in answer_distribution(sums)]

        assert expected[1] == ((0, 5, 0, 0, 0), 3)
        assert distribution() == expected
        assert fold_responses() == sum(given.values())
        db.session.commit()
        assert distribution() == expected
        rebuild_cells()
        db.session.commit()
        assert distribution() == expected
        (first,) = answer_distribution(
            prepare(subtree_ids(agency.id), period).sums.popitem()[1]
        )[:1]
        assert first.code == "F1.1" and first.responses == 8
        assert first.shares == pytest.approx((5 / 8, 0, 0, 0, 3 / 8, 0))
