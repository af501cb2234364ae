"""Benchmark surveyapp.scoring on synthetic SIPAS-style data.

Usage (from the repository root)::

    python benchmarks/bench_scoring.py [N] [--agencies 3500] [--no-cli] [--no-r]

Generates N responses (16 criteria in 5 factors, about 3,500 agencies with 1-4
service fields each as strata, post-stratification weights, about 6 % missing
answers), then times

1. the whole computation from arrays in memory: every agency and ALL x every
   criterion, factor and the index, with Korn-Graubard intervals and flags;
2. the command line ``python -m surveyapp.scoring`` on the same data as CSV
   (writing the CSV is not timed);
3. R's ``survey`` package (``shared/reference/oracle.R``) on the reference
   sample, when ``Rscript`` and the oracle are present, against the command
   on the same file, and prints the speed ratio.

Peak memory is the process's maximum resident set size (resource.getrusage),
measured in a fresh subprocess for each step so that generating the data does
not count.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO.parent / "shared" / "reference"
FACTOR_SIZES = (3, 4, 3, 3, 3)  # 16 criteria in 5 factors, as sipas-2023
MISSING_SHARE = 0.06


def criterion_codes() -> list[str]:
    """``F1.1`` ... ``F5.3``."""
    return [
        f"F{f + 1}.{c + 1}" for f, size in enumerate(FACTOR_SIZES) for c in range(size)
    ]


def draw_answers(
    rng: np.random.Generator, satisfied_share: np.ndarray, group: np.ndarray
) -> np.ndarray:
    """Answers n x 16 (0 = unanswered): satisfied with its group's share.

    In chunks, so that generating 10 million responses does not need more
    memory than estimating them.
    """
    n, n_criteria = len(group), sum(FACTOR_SIZES)
    answers = np.empty((n, n_criteria), dtype=np.int8)
    chunk = 500_000
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        rows = stop - start
        share = satisfied_share[group[start:stop]][:, None]
        satisfied = rng.random((rows, n_criteria)) < share
        block = np.where(
            satisfied,
            rng.integers(4, 6, (rows, n_criteria), dtype=np.int8),
            rng.integers(1, 4, (rows, n_criteria), dtype=np.int8),
        )
        block[rng.random((rows, n_criteria)) < MISSING_SHARE] = 0
        answers[start:stop] = block
    return answers


def synthetic(n: int, n_agencies: int, seed: int = 1) -> dict[str, np.ndarray]:
    """Synthetic responses: agency, stratum codes, weights and answers (n, 16)."""
    rng = np.random.default_rng(seed)
    # Agencies of very different sizes (a few busy centres, many small communes).
    size_share = rng.lognormal(0.0, 1.0, n_agencies)
    agency = rng.choice(n_agencies, size=n, p=size_share / size_share.sum())
    fields_per_agency = rng.integers(1, 5, n_agencies)
    field = (rng.random(n) * fields_per_agency[agency]).astype(np.int64)
    stratum = agency * 4 + field
    # Merge strata that got a single response into their agency's field 0 cell,
    # as the weighting's collapse rule would.
    counts = np.bincount(stratum, minlength=n_agencies * 4)
    stratum = np.where(counts[stratum] < 2, agency * 4, stratum)
    counts = np.bincount(stratum, minlength=n_agencies * 4)
    lonely = counts[stratum] < 2
    # An agency with a single response shares a stratum with the next agency's.
    stratum[lonely] = ((agency[lonely] + 1) % n_agencies) * 4
    dossiers = rng.integers(20, 2000, n_agencies * 4)
    counts = np.bincount(stratum, minlength=n_agencies * 4)
    weights = dossiers[stratum] / counts[stratum]
    answers = draw_answers(rng, rng.beta(8, 2, n_agencies), agency)
    return {
        "agency": agency,
        "stratum": stratum,
        "weights": weights.astype(np.float64),
        "answers": answers,
    }


def write_csv(arrays: dict[str, np.ndarray], path: Path) -> None:
    """Write the synthetic data in the reference input format."""
    codes = criterion_codes()
    answers = arrays["answers"].astype(str)
    answers[arrays["answers"] == 0] = ""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["response_id", "agency", "stratum", "weight", *codes])
        for i in range(arrays["agency"].size):
            writer.writerow(
                [
                    f"R{i:08d}",
                    f"AG{arrays['agency'][i]:05d}",
                    f"S{arrays['stratum'][i]:06d}",
                    repr(float(arrays["weights"][i])),
                    *answers[i],
                ]
            )


def _in_memory_child(n: int, n_agencies: int) -> None:
    """Run in a subprocess: generate, then time estimate() and report JSON."""
    from surveyapp.scoring import DomainSpec, SurveyData, estimate

    arrays = synthetic(n, n_agencies)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    data = SurveyData.from_arrays(
        arrays["answers"], criterion_codes(), arrays["weights"], arrays["stratum"]
    )
    domains = DomainSpec.from_labels(arrays["agency"])
    results = estimate(data, domains, method="kg")
    seconds = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rows": len(results),
                "domains": domains.n_domains,
                "peak_rss_mb": rss_after / 1024,
                "rss_before_mb": rss_before / 1024,
            }
        )
    )


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def time_in_memory(n: int, n_agencies: int) -> dict[str, float]:
    """Time estimate() from arrays in a fresh process (its peak RSS included)."""
    output = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, __file__, "--child", str(n), "--agencies", str(n_agencies)],
        check=True,
        capture_output=True,
        text=True,
        env=_child_env(),
    ).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def time_command(args: list[str]) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of a child command."""
    start = time.perf_counter()
    # Our own interpreter or Rscript, with fixed arguments.
    subprocess.run(  # noqa: S603
        args,
        check=True,
        env=_child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, peak_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=3500)
    parser.add_argument("--no-cli", action="store_true", help="skip the CLI timing")
    parser.add_argument("--no-r", action="store_true", help="skip the R comparison")
    parser.add_argument(
        "--csv",
        type=Path,
        help="keep the generated CSV here (reused if it exists: same N and seed)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _in_memory_child(args.n, args.agencies)
        return
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    print(f"N = {args.n:,} responses, {args.agencies:,} agencies, 16 criteria")
    memory = time_in_memory(args.n, args.agencies)
    print(
        f"from arrays: {memory['seconds']:.2f} s for {int(memory['rows']):,} rows "
        f"({int(memory['domains']):,} domains); "
        f"peak RSS {memory['peak_rss_mb']:.0f} MB "
        f"(of which {memory['rss_before_mb']:.0f} MB before estimating)"
    )
    if not args.no_cli:
        with tempfile.TemporaryDirectory() as folder:
            path = args.csv or Path(folder) / "bench.csv"
            if not path.exists():
                write_csv(synthetic(args.n, args.agencies), path)
            seconds, peak = time_command(
                [
                    sys.executable,
                    "-m",
                    "surveyapp.scoring",
                    str(path),
                    "-o",
                    str(Path(folder) / "out.csv"),
                ]
            )
            size_mb = path.stat().st_size / 1e6
            print(
                f"CLI from CSV ({size_mb:.0f} MB): {seconds:.2f} s; "
                f"peak RSS {peak:.0f} MB"
            )
    rscript = shutil.which("Rscript")
    oracle = REFERENCE / "oracle.R"
    sample = REFERENCE / "sipas_sample.csv"
    if args.no_r:
        return
    if rscript is None or not oracle.exists():
        print("R comparison skipped (no Rscript or no shared/reference/oracle.R)")
        return
    with tempfile.TemporaryDirectory() as folder:
        r_seconds, _ = time_command(
            [rscript, str(oracle), str(sample), str(Path(folder) / "r.csv")]
        )
        py_seconds, _ = time_command(
            [
                sys.executable,
                "-m",
                "surveyapp.scoring",
                str(sample),
                "-o",
                str(Path(folder) / "py.csv"),
            ]
        )
    print(
        f"reference sample (3,051 responses): R survey {r_seconds:.2f} s, "
        f"surveyapp CLI {py_seconds:.2f} s: {r_seconds / py_seconds:.0f}x faster"
    )


if __name__ == "__main__":
    main()
