"""Helpers for the scoring tests: reference data, a CLI runner, small surveys."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from surveyapp.scoring import DomainSpec, SurveyData

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[2]
REFERENCE_CASES = (
    "sipas_sample",
    "sipas_crossed",
    "extra_nested",
    "extra_crossed",
    "extra_clustered",
)


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def run_cli(
    *args: str | Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m surveyapp.scoring`` with the repository on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "surveyapp.scoring", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
    )


class CliCache(dict[tuple[str, str], list[dict[str, str]]]):
    def __missing__(self, key: tuple[str, str]) -> list[dict[str, str]]:
        case, method = key
        done = run_cli(DATA / f"{case}.csv", "--ci", method)
        assert done.returncode == 0, done.stderr
        rows = list(csv.DictReader(done.stdout.splitlines()))
        self[key] = rows
        return rows


def make_survey(
    answers: list[list[int]] | np.ndarray,
    strata: list[str] | np.ndarray,
    weights: list[float] | np.ndarray | None = None,
    codes: list[str] | None = None,
) -> SurveyData:
    """A SurveyData from small literal arrays (0 = not answered)."""
    answer_array = np.asarray(answers)
    n, k = answer_array.shape
    if codes is None:
        codes = [f"F{1 + j // 2}.{1 + j % 2}" for j in range(k)]
    if weights is None:
        weights = np.ones(n)
    return SurveyData.from_arrays(answer_array, codes, weights, strata)


def whole(data: SurveyData) -> DomainSpec:
    return DomainSpec.whole_sample(data.n_responses)
