"""Benchmark ``surveyapp.scoring.poststratify`` at national shape.

Usage (from the repository root)::

    PYTHONPATH=. python benchmarks/bench_weights.py [--agencies 3500] [--fields 11]
        [--months 12] [--repeat 5] [--no-reference]

Builds every (agency, field) cell of ``agencies`` x ``fields`` (38,500 at the
defaults) with dossier counts and responses of very different sizes: about 8 %
of the cells have dossiers but no response, 6 % one response, 3 % responses but
a dossier count of zero, and about 1 % of the agencies no response at all. It
times, as the app calls it (responses summed into groups, ``response_count``):

1. a month: one group per cell with responses;
2. a year: one group per cell and month (the month cells the app stores).

Each is timed for the current ``poststratify`` and, unless ``--no-reference``,
for the loop implementation it replaced (``tests/scoring/_reference_poststratify.py``),
whose result must be identical. Prints the median and the fastest wall time of
``--repeat`` calls and their median CPU time (steadier on a shared machine).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from surveyapp.scoring import poststratify
from tests.scoring._reference_poststratify import reference_poststratify

Inputs = tuple[tuple[Any, ...], dict[str, Any]]


def national_cells(
    rng: np.random.Generator, agencies: int, fields: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Agency and field of every cell, its dossiers and its responses."""
    agency = np.repeat([f"{i:06d}" for i in range(agencies)], fields).astype(object)
    field = np.tile([f"F{j:02d}" for j in range(fields)], agencies).astype(object)
    size = rng.lognormal(3.0, 1.2, agencies)  # agencies of very different sizes
    responses = rng.poisson(
        np.repeat(size, fields) * rng.uniform(0.2, 1.5, agency.size)
    )
    dossiers = np.ceil(responses * rng.uniform(2.0, 20.0, agency.size)).astype(np.int64)
    state = rng.uniform(size=agency.size)
    responses[state < 0.08] = 0
    responses[(state >= 0.08) & (state < 0.14)] = 1
    dossiers[(state >= 0.14) & (state < 0.17)] = 0
    dossiers[(responses > 0) & (dossiers == 0) & (state >= 0.17)] += 5
    silent = rng.uniform(size=agencies) < 0.01
    responses[np.repeat(silent, fields)] = 0
    # Every agency with responses has dossiers (else poststratify refuses).
    agency_dossiers = np.add.reduceat(dossiers, np.arange(0, agency.size, fields))
    dossiers[::fields] += np.where(agency_dossiers == 0, 10, 0)
    return agency, field, dossiers, responses


def month_groups(
    rng: np.random.Generator,
    cells: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    months: int,
) -> Inputs:
    """The cells' responses spread over ``months`` groups each (none empty)."""
    agency, field, dossiers, responses = cells
    share = rng.dirichlet(np.ones(months), agency.size)
    per_month = np.floor(share * responses[:, None]).astype(np.int64)
    per_month[:, 0] += responses - per_month.sum(axis=1)
    cell, month = np.nonzero(per_month)
    return (
        (agency[cell], field[cell], agency, field, dossiers),
        {"response_count": per_month[cell, month]},
    )


def timed(
    function: Callable[..., Any], inputs: Inputs, repeat: int
) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each call."""
    args, kwargs = inputs
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        function(*args, **kwargs)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def same_result(inputs: Inputs) -> bool:
    args, kwargs = inputs
    new = poststratify(*args, **kwargs)
    old = reference_poststratify(*args, **kwargs)
    arrays = np.array_equal(new.weights, old.weights) and np.array_equal(
        new.stratum, old.stratum
    )
    fields = (
        "cells",
        "rates",
        "collapsed",
        "unrepresented",
        "single_response_agencies",
    )
    return arrays and all(
        repr(getattr(new, f)) == repr(getattr(old, f)) for f in fields
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=3500)
    parser.add_argument("--fields", type=int, default=11)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-reference", action="store_true")
    options = parser.parse_args()
    rng = np.random.default_rng(2026)
    cells = national_cells(rng, options.agencies, options.fields)
    month = month_groups(rng, cells, 1)
    year = month_groups(rng, cells, options.months)
    print(
        f"{cells[0].size:,} cells, {int(cells[3].sum()):,} responses; "
        f"month: {month[0][0].size:,} groups, year: {year[0][0].size:,} groups"
    )
    implementations: list[tuple[str, Callable[..., Any]]] = [("numpy", poststratify)]
    if not options.no_reference:
        implementations.append(("reference (loops)", reference_poststratify))
    for shape, inputs in (("month", month), ("year", year)):
        for name, function in implementations:
            wall, cpu = timed(function, inputs, options.repeat)
            print(
                f"{shape:5} {name:17} wall median {statistics.median(wall):.3f} s "
                f"(fastest {min(wall):.3f} s), "
                f"CPU median {statistics.median(cpu):.3f} s"
            )
        if not options.no_reference:
            print(f"{shape:5} identical results: {same_result(inputs)}")


if __name__ == "__main__":
    main()
