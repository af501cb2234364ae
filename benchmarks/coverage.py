"""Coverage study of the scoring intervals on SIPAS-like finite populations.

Usage (from the repository root; run on demand, never as a timed test)::

    PYTHONPATH=. python benchmarks/coverage.py [--reps 3000] [--seed 2026]
        [--person-sd 1.6] [--scenario NAME ...] [--level 0.95]

For each scenario a finite population is built once and kept fixed: agencies x
service fields as strata, 16 criteria in 5 factors (as ``sipas-2023``), a
person's answers driven by a latent person effect plus criterion, field and
agency x criterion effects, about 4.5 % of answers left blank. Each replicate
draws a stratified simple random sample without replacement, weights
``N_h / n_h`` (post-stratification to the dossiers of each cell, exactly), and
estimates every domain with :func:`surveyapp.scoring.estimate`. The true values
are the library's own definitions applied to the whole population.

In ``crossed`` the strata are service fields shared by all communes of a
district, so commune samples are random in size (about 11-71) and communes are
estimated by zero-weighting, as in the app.

For every level (criterion, factor, index) and interval method it prints the
coverage, its Monte Carlo standard error (replicates as clusters), the mean
width, the width relative to the true sampling spread (the 2.5-97.5 %
quantile range of the estimate over replicates), the share of intervals that
miss high (entirely above the truth), the share flagged ``ok`` and the
coverage among the rows flagged ``ok``.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import special

from surveyapp.scoring import DomainSpec, SurveyData, estimate
from surveyapp.scoring.flags import OK, composite_flags, share_flags
from surveyapp.scoring.intervals import (
    COMPOSITE_METHODS,
    INTERVAL_METHODS,
    composite_interval,
    nchs_effective_n,
    share_interval,
)

FACTOR_SIZES = (3, 4, 3, 3, 3)
CODES = [
    f"F{f + 1}.{c + 1}" for f, size in enumerate(FACTOR_SIZES) for c in range(size)
]
MISSING_SHARE = 0.045
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Scenario:
    """One population: ``agencies`` x ``fields`` cells, sample ``n`` per agency."""

    name: str
    n: int
    p: float
    agencies: int = 1
    fields: int = 3
    crossed: bool = False
    population_per_response: int = 20


SCENARIOS = (
    Scenario("n15-p90", 15, 0.90),
    Scenario("n30-p90", 30, 0.90),
    Scenario("n30-p97", 30, 0.97),
    Scenario("n100-p97", 100, 0.97),
    Scenario("n40-p80", 40, 0.80),
    Scenario("n300-p85", 300, 0.85),
    Scenario("crossed", 36, 0.90, agencies=12, fields=4, crossed=True),
)


@dataclass(frozen=True, eq=False)
class Population:
    answers: NDArray[np.int8]  # (N, 16)
    agency: NDArray[np.int64]  # (N,)
    stratum: NDArray[np.int64]  # (N,)
    sample_sizes: NDArray[np.int64]  # (H,) responses drawn per stratum


def build_population(
    scenario: Scenario, rng: np.random.Generator, person_sd: float
) -> Population:
    """A fixed finite population whose index is close to ``scenario.p``."""
    a, h = scenario.agencies, scenario.fields
    cell_share = rng.dirichlet(np.full(a * h, 2.0)).reshape(a, h)
    if not scenario.crossed:
        cell_share = np.sort(cell_share, axis=1)[:, ::-1]
    total = scenario.n * a * scenario.population_per_response
    cell_size = np.maximum(np.round(cell_share * total).astype(np.int64), 4)
    agency = np.repeat(np.repeat(np.arange(a), h), cell_size.ravel())
    field_ = np.repeat(np.tile(np.arange(h), a), cell_size.ravel())
    stratum = field_ if scenario.crossed else agency * h + field_
    size = agency.size
    agency_effect = rng.normal(0.0, 0.6, a) if a > 1 else np.zeros(1)
    linear = (
        rng.normal(0.0, 0.5, len(CODES))[None, :]  # criterion
        + rng.normal(0.0, 0.3, (a, len(CODES)))[agency]  # agency x criterion
        + agency_effect[agency][:, None]
        + rng.normal(0.0, 0.3, h)[field_][:, None]  # service field
        + rng.normal(0.0, person_sd, size)[:, None]  # the person
    )
    uniform = rng.random(linear.shape)
    shift = _calibrate(linear, uniform, scenario.p)
    satisfied = uniform < special.expit(linear + shift)
    answers = np.where(
        satisfied, rng.integers(4, 6, linear.shape), rng.integers(1, 4, linear.shape)
    ).astype(np.int8)
    answers[rng.random(answers.shape) < MISSING_SHARE] = 0
    strata_sizes = np.bincount(stratum)
    wanted = scenario.n * a * strata_sizes / size
    sample_sizes = np.clip(np.round(wanted).astype(np.int64), 2, strata_sizes)
    return Population(answers, agency, stratum, sample_sizes)


def _calibrate(linear: FloatArray, uniform: FloatArray, p: float) -> float:
    """The shift that makes the population's mean satisfaction ``p``."""
    low, high = -10.0, 15.0
    for _ in range(40):
        middle = (low + high) / 2.0
        if (uniform < special.expit(linear + middle)).mean() < p:
            low = middle
        else:
            high = middle
    return (low + high) / 2.0


def domains_of(agency: NDArray[np.int64], n_agencies: int) -> DomainSpec:
    """One domain per agency (the whole sample when there is one agency)."""
    return DomainSpec(
        names=tuple(f"A{g:02d}" for g in range(n_agencies)),
        member_response=np.arange(agency.size, dtype=np.int64),
        member_domain=agency.astype(np.int64),
    )


def true_values(pop: Population, n_agencies: int) -> FloatArray:
    """The population's criterion, factor and index values, in results order."""
    data = SurveyData.from_arrays(
        pop.answers, CODES, np.ones(pop.agency.size), pop.stratum
    )
    return estimate(data, domains_of(pop.agency, n_agencies)).estimate


def draw_sample(
    pop: Population, members: list[NDArray[np.int64]], rng: np.random.Generator
) -> tuple[SurveyData, NDArray[np.int64]]:
    """Stratified SRS without replacement, weights ``N_h / n_h``, and its rows."""
    rows = np.concatenate(
        [
            rng.choice(group, size, replace=False)
            for group, size in zip(members, pop.sample_sizes.tolist(), strict=True)
        ]
    )
    strata = pop.stratum[rows]
    weights = (np.bincount(pop.stratum) / pop.sample_sizes)[strata]
    return SurveyData.from_arrays(pop.answers[rows], CODES, weights, strata), rows


@dataclass
class Tally:
    """Per-replicate counts for one (level, method): arrays (reps,)."""

    reps: int
    rows: int
    covered: FloatArray = field(init=False)
    miss_high: FloatArray = field(init=False)
    width: FloatArray = field(init=False)
    ok: FloatArray = field(init=False)
    ok_covered: FloatArray = field(init=False)
    row_width: FloatArray = field(init=False)

    def __post_init__(self) -> None:
        for name in ("covered", "miss_high", "width", "ok", "ok_covered"):
            setattr(self, name, np.zeros(self.reps))
        self.row_width = np.zeros(self.rows)

    def add(
        self,
        rep: int,
        truth: FloatArray,
        low: FloatArray,
        high: FloatArray,
        ok: NDArray[np.bool_],
    ) -> None:
        covered = (low <= truth) & (truth <= high)
        self.covered[rep] = covered.mean()
        self.miss_high[rep] = (low > truth).mean()
        self.width[rep] = (high - low).mean()
        self.ok[rep] = ok.mean()
        self.ok_covered[rep] = (covered & ok).mean()
        self.row_width += high - low


LEVELS = ("criterion", "factor", "index")


def methods_for(level: str) -> tuple[str, ...]:
    return INTERVAL_METHODS if level == "criterion" else COMPOSITE_METHODS


def score_replicate(
    by_level: dict[str, NDArray[np.bool_]],
    est: FloatArray,
    se: FloatArray,
    n: FloatArray,
    df: FloatArray,
    conf: float,
) -> dict[tuple[str, str], tuple[FloatArray, FloatArray, NDArray[np.bool_]]]:
    """Every method's interval and ``ok`` flag on one replicate's rows.

    ``kg, no complement rule`` is the default share interval with the share
    flags' ``complement_rule=False``.
    """
    out = {}
    for level, rows in by_level.items():
        e, s, m, d = est[rows], se[rows], n[rows], df[rows]
        n_eff = nchs_effective_n(e, s, m)
        for method in methods_for(level):
            if level == "criterion":
                low, high = share_interval(method, e, s, m, d, conf)  # type: ignore[arg-type]
                flags, _ = share_flags(e, m, n_eff, d, low, high)
                out[(level, method)] = (low, high, flags == OK)
                if method == "kg":
                    flags, _ = share_flags(
                        e, m, n_eff, d, low, high, complement_rule=False
                    )
                    out[(level, "kg, no complement rule")] = (low, high, flags == OK)
            else:
                low, high = composite_interval(method, e, s, m, d, conf)  # type: ignore[arg-type]
                every = np.ones(e.size, dtype=np.int64)
                flags, _ = composite_flags(e, m, n_eff, d, low, high, every, every)
                out[(level, method)] = (low, high, flags == OK)
    return out


def run_scenario(
    scenario: Scenario, reps: int, seed: int, conf: float, person_sd: float
) -> dict[tuple[str, str], tuple[Tally, FloatArray]]:
    """Tallies per (level, method) and the replicates' estimates per level."""
    rng = np.random.default_rng([seed, SCENARIOS.index(scenario)])
    pop = build_population(scenario, rng, person_sd)
    truth = true_values(pop, scenario.agencies)
    members = [np.flatnonzero(pop.stratum == s) for s in range(pop.sample_sizes.size)]
    tallies: dict[tuple[str, str], Tally] = {}
    estimates: dict[str, list[FloatArray]] = {level: [] for level in LEVELS}
    for rep in range(reps):
        data, rows = draw_sample(pop, members, rng)
        res = estimate(data, domains_of(pop.agency[rows], scenario.agencies))
        by_level = {level: res.level == level for level in LEVELS}
        scored = score_replicate(
            by_level,
            res.estimate,
            res.se,
            res.n.astype(np.float64),
            res.df.astype(np.float64),
            conf,
        )
        for (level, method), (low, high, ok) in scored.items():
            key = (level, method)
            if key not in tallies:
                tallies[key] = Tally(reps, int(by_level[level].sum()))
            tallies[key].add(rep, truth[by_level[level]], low, high, ok)
        for level in LEVELS:
            estimates[level].append(res.estimate[by_level[level]])
    return {key: (tally, np.array(estimates[key[0]])) for key, tally in tallies.items()}


def summary_rows(
    scenario: Scenario, tallies: dict[tuple[str, str], tuple[Tally, FloatArray]]
) -> list[str]:
    """Markdown table rows for one scenario."""
    lines = []
    for (level, method), (tally, est) in tallies.items():
        spread = np.quantile(est, 0.975, axis=0) - np.quantile(est, 0.025, axis=0)
        # Mean width over mean spread: rows whose truth is near 1 have a
        # spread near 0 and would dominate a mean of ratios.
        ratio = float(tally.row_width.mean() / tally.reps / spread.mean())
        cover = tally.covered.mean()
        cover_se = tally.covered.std(ddof=1) / np.sqrt(tally.reps)
        ok = tally.ok.mean()
        ok_cover = tally.ok_covered.sum() / tally.ok.sum() if ok > 0 else np.nan
        lines.append(
            f"| {scenario.name} | {level} | {method} | {100 * cover:.1f} "
            f"| {100 * cover_se:.1f} | {100 * tally.miss_high.mean():.1f} "
            f"| {100 * tally.width.mean():.1f} | {ratio:.2f} | {100 * ok:.0f} "
            f"| {100 * ok_cover:.1f} |"
        )
    return lines


HEADER = (
    "| scenario | level | method | coverage % | MC SE | misses high % "
    "| mean width (points) | width / true spread | ok % | coverage when ok % |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--level", type=float, default=0.95)
    parser.add_argument("--person-sd", type=float, default=1.6)
    parser.add_argument(
        "--scenario", action="append", choices=[s.name for s in SCENARIOS]
    )
    args = parser.parse_args()
    chosen = [s for s in SCENARIOS if not args.scenario or s.name in args.scenario]
    print(HEADER, flush=True)
    for scenario in chosen:
        started = time.perf_counter()
        tallies = run_scenario(
            scenario, args.reps, args.seed, args.level, args.person_sd
        )
        print("\n".join(summary_rows(scenario, tallies)), flush=True)
        print(f"<!-- {scenario.name}: {time.perf_counter() - started:.0f} s -->")


if __name__ == "__main__":
    main()
