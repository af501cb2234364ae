"""Benchmark estimate() on responses against cell totals (estimate_totals).

Usage (from the repository root)::

    python benchmarks/bench_totals.py [--scenario province-1m] [--no-rows]

Scenarios (synthetic SIPAS-style data, 16 criteria in 5 factors, about 6 %
unanswered items, 12 months):

- ``province-1m``, ``province-10m``: 150 service points in 10 districts, each
  with all 11 service fields, 1 or 10 million responses;
- ``national-10m``: 3,500 service points in 34 provinces, each with 1-4 of the
  11 service fields, 10 million responses.

Strata are the weighting cells, service point x service field; weights are
post-stratified per month (dossiers of the month / responses of the month), so
weights differ within a stratum and a cell of totals is (service point,
stratum, month's weight): about 150 x 11 x 12 = 19,800 cells in a province.
Domains: every service point, district or province, and the whole sample.

Each scenario runs in a fresh process and times

1. ``estimate()`` on the responses (SurveyData already in memory);
2. ``CellTotals.from_responses`` per month (the totals the app would keep),
   ``CellTotals.combine`` of the 12 months into the year, and
   ``CellTotals.from_data`` on the year's responses at once;
3. ``CellTotals.from_arrays`` on the year's cells (what reading pre-summed rows
   from SQL costs here: validation) and ``estimate_totals()``;

and checks that both results agree (largest relative difference of se).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from bench_scoring import criterion_codes, draw_answers  # same folder, run as a script

REPO = Path(__file__).resolve().parent.parent
N_FIELDS = 11
MONTHS = 12
SCENARIOS = {
    # name: (responses, service points, parents, fields per point: low, high)
    "province-1m": (1_000_000, 150, 10, (N_FIELDS, N_FIELDS)),
    "province-10m": (10_000_000, 150, 10, (N_FIELDS, N_FIELDS)),
    "national-10m": (10_000_000, 3_500, 34, (1, 4)),
}


def synthetic(
    n: int, n_points: int, fields: tuple[int, int], seed: int = 1
) -> dict[str, np.ndarray]:
    """Responses: service point, stratum, month, weight, answers (n, 16)."""
    rng = np.random.default_rng(seed)
    size_share = rng.lognormal(0.0, 1.0, n_points)
    point = rng.choice(n_points, size=n, p=size_share / size_share.sum())
    fields_of_point = rng.integers(fields[0], fields[1] + 1, n_points)
    field = (rng.random(n) * fields_of_point[point]).astype(np.int64)
    stratum = point * N_FIELDS + field
    # A stratum needs two responses; merge a lonely one into field 0.
    counts = np.bincount(stratum, minlength=n_points * N_FIELDS)
    stratum = np.where(counts[stratum] < 2, point * N_FIELDS, stratum)
    counts = np.bincount(stratum, minlength=n_points * N_FIELDS)
    lonely = counts[stratum] < 2
    stratum[lonely] = ((point[lonely] + 1) % n_points) * N_FIELDS
    month = rng.integers(0, MONTHS, n)
    cell = stratum * MONTHS + month
    per_cell = np.bincount(cell, minlength=n_points * N_FIELDS * MONTHS)
    dossiers = rng.integers(20, 2000, per_cell.size)
    weights = dossiers[cell] / per_cell[cell]
    answers = draw_answers(rng, rng.beta(8, 2, n_points), point)
    return {
        "point": point,
        "stratum": stratum,
        "month": month,
        "weights": weights.astype(np.float64),
        "answers": answers,
    }


def _seconds(start: float) -> float:
    return round(time.perf_counter() - start, 3)


def run_scenario(name: str, with_rows: bool) -> dict[str, object]:
    """Generate one scenario and time both paths (in this process)."""
    from surveyapp.scoring import (
        CellTotals,
        DomainSpec,
        SurveyData,
        estimate,
        estimate_totals,
    )

    n, n_points, n_parents, fields = SCENARIOS[name]
    arrays = synthetic(n, n_points, fields)
    codes = criterion_codes()
    leaves = np.char.add("SP", arrays["point"].astype(str))
    parent_of: dict[str, str | None] = {
        f"SP{p}": f"G{p % n_parents:02d}" for p in range(n_points)
    }
    data = SurveyData.from_arrays(
        arrays["answers"], codes, arrays["weights"], arrays["stratum"]
    )
    timings: dict[str, object] = {"scenario": name, "responses": n}
    rows_results = None
    if with_rows:
        start = time.perf_counter()
        domains = DomainSpec.from_tree(leaves, parent_of)
        rows_results = estimate(data, domains)
        timings["estimate_rows_s"] = _seconds(start)
    start = time.perf_counter()
    months = []
    for month in range(MONTHS):  # the app keeps totals per month
        rows = np.flatnonzero(arrays["month"] == month)
        months.append(
            CellTotals.from_responses(
                arrays["answers"][rows],
                codes,
                arrays["weights"][rows],
                arrays["stratum"][rows],
                leaves[rows],
            )
        )
    timings["monthly_totals_s"] = _seconds(start)
    start = time.perf_counter()
    year = CellTotals.combine(*months)
    timings["combine_12_months_s"] = _seconds(start)
    timings["cells"] = year.n_cells
    start = time.perf_counter()
    CellTotals.from_data(data, leaves)
    timings["year_totals_from_rows_s"] = _seconds(start)
    start = time.perf_counter()
    read = CellTotals.from_arrays(
        year.criterion_codes,
        year.cell_leaves(),
        np.asarray(year.stratum_labels)[year.stratum],
        year.weight,
        year.n,
        year.answered,
        year.satisfied,
        year.answer_sum,
        year.xx,
        year.yx,
        year.yy,
    )
    timings["from_arrays_s"] = _seconds(start)
    start = time.perf_counter()
    cell_results = estimate_totals(read, read.leaf_domains(parent_of))
    timings["estimate_totals_s"] = _seconds(start)
    timings["domains"] = int(len(set(cell_results.domain.tolist())))
    if rows_results is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            relative = np.abs(cell_results.se - rows_results.se) / rows_results.se
        timings["max_rel_se_difference"] = float(np.nanmax(relative))
        timings["flags_identical"] = bool(
            (cell_results.flag == rows_results.flag).all()
        )
    timings["peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), action="append")
    parser.add_argument(
        "--no-rows", action="store_true", help="skip estimate() on the responses"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_scenario(args.child, not args.no_rows)))
        return
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    for name in args.scenario or list(SCENARIOS):
        command = [sys.executable, __file__, "--child", name]
        if args.no_rows:
            command.append("--no-rows")
        # Our own interpreter and script, one fresh process per scenario.
        output = subprocess.run(  # noqa: S603
            command, check=True, capture_output=True, text=True, env=env
        ).stdout
        result = json.loads(output.strip().splitlines()[-1])
        print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
