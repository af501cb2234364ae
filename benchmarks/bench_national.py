"""Time the app's scoring path on a national shape, from prepared cell sums.

3,500 service points under 63 provinces (a commune level in between), 12
service fields, 12 months and about 10 million responses to sipas-2023, summed
into cells (:class:`surveyapp.analysis.cells.CellSums`) the way the response
cells hold them, with dossier counts for every cell. The agency tree lives in a
scratch SQLite database; the cells and dossier counts are handed to the app as
:class:`surveyapp.analysis.prepared.PreparedData`, so what is timed is the
app's own path from prepared data: weighting, the national scores of every
agency, the ranking of the provinces and the twelve-month trend.

    PYTHONPATH=. python benchmarks/bench_national.py [--responses 10000000]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

from surveyapp.analysis.cells import CellLayout, CellSums
from surveyapp.analysis.prepared import PreparedData
from surveyapp.analysis.ranking import rank_children
from surveyapp.analysis.scores import compute_scores
from surveyapp.analysis.trend import compute_trend
from surveyapp.analysis.weighting import MonthlyDossiers
from surveyapp.app import create_app
from surveyapp.core.catalogue import load_builtin_questionnaires, load_service_fields
from surveyapp.core.time import Period
from surveyapp.extensions import db
from surveyapp.models import (
    Agency,
    AgencyKind,
    Questionnaire,
    ServiceField,
    get_by_code,
)

YEAR = 2025
PROVINCES = 63
COMMUNES_PER_PROVINCE = 11
POINTS = 3_500


def build_tree(questionnaire: Questionnaire) -> tuple[Agency, list[int]]:
    """The nation, its provinces and communes, and 3,500 service points."""
    nation = Agency(code="VN", name="Cả nước", kind=AgencyKind.PROVINCE)
    nation.questionnaire = questionnaire
    db.session.add(nation)
    communes = []
    for p in range(PROVINCES):
        province = Agency(
            code=f"P{p:02d}", name=f"Tỉnh {p}", kind=AgencyKind.PROVINCE, parent=nation
        )
        for c in range(COMMUNES_PER_PROVINCE):
            communes.append(
                Agency(
                    code=f"P{p:02d}-C{c:02d}",
                    name=f"Xã {p}.{c}",
                    kind=AgencyKind.COMMUNE,
                    parent=province,
                )
            )
    points = [
        Agency(
            code=f"{communes[i % len(communes)].code}-S{i:04d}",
            name=f"Điểm {i}",
            parent=communes[i % len(communes)],
        )
        for i in range(POINTS)
    ]
    db.session.add_all(points)
    db.session.flush()
    return nation, [point.id for point in points]


def simulate_cells(
    layout: CellLayout, point_ids: list[int], field_ids: list[int], total: int
) -> CellSums:
    """About `total` responses over points x fields x months, summed into cells
    month by month (a month's responses are simulated at once)."""
    rng = np.random.default_rng(2025)
    points = np.array(point_ids)
    quality = rng.normal(0.0, 0.6, size=len(points))  # some points do better
    parts = []
    for month in range(1, 13):
        n = total // 12 + (1 if month <= total % 12 else 0)
        where = rng.integers(0, len(points), n)
        latent = quality[where][:, None] + rng.normal(0.7, 1.0, (n, layout.n_columns))
        answers = np.clip(np.rint(3 + latent), 1, 5).astype(np.int8)
        answers[rng.random(answers.shape) < 0.05] = 0  # no opinion
        keys = (
            points[where],
            np.array(field_ids)[rng.integers(0, len(field_ids), n)],
            np.full(n, YEAR * 100 + month),
        )
        parts.append(CellSums.from_answers(layout, keys, rng.random(n) < 0.3, answers))
    return CellSums.concatenated(layout, parts)


def dossiers_for(cells: CellSums, codes: dict[int, str]) -> MonthlyDossiers:
    """Dossier counts of each cell: its responses over a response rate of 5-40 %."""
    rng = np.random.default_rng(7)
    rates = rng.uniform(0.05, 0.4, len(cells))
    monthly: MonthlyDossiers = {}
    for i in range(len(cells)):
        key = (int(cells.agency_id[i]), codes[int(cells.field_id[i])])
        monthly.setdefault(int(cells.month[i]), {})[key] = int(
            np.ceil(cells.n[i] / rates[i])
        )
    return monthly


def timed(label: str, action):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = action()
    print(f"{label:<38}{time.perf_counter() - started:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=10_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'national.sqlite3'}"
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            db.create_all()
            load_builtin_questionnaires()
            load_service_fields()
            questionnaire = get_by_code(Questionnaire, "sipas-2023")
            assert questionnaire is not None
            nation, point_ids = build_tree(questionnaire)
            db.session.commit()
            fields = {f.id: f.code for f in db.session.scalars(db.select(ServiceField))}
            layout = CellLayout.of(questionnaire)
            cells = timed(
                "simulate and sum the responses",
                lambda: simulate_cells(layout, point_ids, list(fields), args.responses),
            )
            print(f"{cells.n_responses:,} responses in {len(cells):,} cells")
            window = Period.months(date(YEAR, 1, 1), date(YEAR, 12, 31))
            # As the dashboard reads a year with its trend: the year cells the
            # folds keep beside the months, and the month cells.
            years = cells.as_year_cells()
            print(f"{len(years):,} year cells")
            data = PreparedData(
                frozenset([nation.id, *point_ids]),
                window,
                {questionnaire.id: years},
                {questionnaire.id: questionnaire},
                dossiers_for(cells, fields),
                whole_years=frozenset([YEAR]),
                year_months={questionnaire.id: cells},
                months_read=frozenset(YEAR * 100 + m for m in range(1, 13)),
            )
            # As one request: the agency tree is read once per request.
            with app.test_request_context():
                started = time.perf_counter()
                scores = timed(
                    "national scores, every agency",
                    lambda: compute_scores(
                        nation, Period.year(YEAR), questionnaire, data=data
                    ),
                )
                timed("ranking of the 63 provinces", lambda: rank_children(scores))
                print(
                    f"{'scores and ranking':<38}{time.perf_counter() - started:8.2f} s"
                )
                timed(
                    "twelve-month trend",
                    lambda: compute_trend(
                        nation, questionnaire, date(YEAR, 12, 31), data=data
                    ),
                )
                whole = time.perf_counter() - started
                print(f"{'the page from prepared data':<38}{whole:8.2f} s")
                row = scores.row("VN", "index", "SIPAS")
                assert row is not None
                print(f"national index {row['estimate']:.4f} ± {row['se']:.4f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the process: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
