"""Bad input: one line on stderr naming the line or column, exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scoring.support import DATA, run_cli

HEADER = "response_id,agency,stratum,weight,F1.1,F1.2,F2.1"
GOOD_ROWS = [
    "R1,A,A:x,10,5,4,",
    "R2,A,A:x,10,3,,5",
    "R3,B,B:y,20,4,4,4",
    "R4,B,B:y,20,1,2,5",
]


def _csv(header: str = HEADER, rows: list[str] | None = None) -> str:
    body = GOOD_ROWS if rows is None else rows
    return "\n".join([header, *body]) + "\n"


def _replace(row: int, text: str) -> str:
    rows = list(GOOD_ROWS)
    rows[row] = text
    return _csv(rows=rows)


CASES = {
    "unknown column": (
        _csv(HEADER + ",colour", [r + ",red" for r in GOOD_ROWS]),
        "colour",
    ),
    "missing weight column": (
        _csv("response_id,agency,stratum,F1.1", ["R1,A,s,4", "R2,A,s,5"]),
        "weight",
    ),
    "no criterion columns": (
        _csv("response_id,agency,stratum,weight", ["R1,A,s,1", "R2,A,s,1"]),
        "criterion",
    ),
    "repeated column": (_csv(HEADER + ",F1.1", [r + ",4" for r in GOOD_ROWS]), "F1.1"),
    "answer 6": (_replace(2, "R3,B,B:y,20,4,6,4"), "line 4"),
    "answer 0": (_replace(2, "R3,B,B:y,20,0,4,4"), "line 4"),
    "answer 4.5": (_replace(1, "R2,A,A:x,10,4.5,,5"), "line 3"),
    "answer text": (_replace(3, "R4,B,B:y,20,1,2,good"), "line 5"),
    "weight zero": (_replace(0, "R1,A,A:x,0,5,4,"), "line 2"),
    "weight negative": (_replace(3, "R4,B,B:y,-3,1,2,5"), "line 5"),
    "weight text": (_replace(2, "R3,B,B:y,lots,4,4,4"), "line 4"),
    "weight nan": (_replace(2, "R3,B,B:y,nan,4,4,4"), "line 4"),
    "weight empty": (_replace(2, "R3,B,B:y,,4,4,4"), "line 4"),
    "single-response stratum": (_csv(rows=[*GOOD_ROWS, "R5,C,C:z,5,4,4,4"]), "C:z"),
    "duplicate response_id": (_replace(3, "R2,B,B:y,20,1,2,5"), "line 5"),
    "empty agency": (_replace(1, "R2,,A:x,10,3,,5"), "line 3"),
    "too few fields": (_replace(1, "R2,A,A:x,10,3"), "line 3"),
    "empty file": ("", "empty"),
    "header only": (HEADER + "\n", "no responses"),
}


@pytest.mark.parametrize("text, needle", CASES.values(), ids=CASES.keys())
def test_bad_input_one_line_exit_2(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    done = run_cli(path)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    assert needle in lines[0]
    assert "Traceback" not in done.stderr


def test_good_version_of_the_cases_passes(tmp_path: Path) -> None:
    path = tmp_path / "good.csv"
    path.write_text(_csv(), encoding="utf-8")
    done = run_cli(path)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "arguments",
    [
        ("--level", "1.5"),
        ("--level", "abc"),
        ("--ci", "bayes"),
        ("--no-such-option",),
    ],
)
def test_bad_options_one_line_exit_2(arguments: tuple[str, ...]) -> None:
    done = run_cli(DATA / "sipas_crossed.csv", *arguments)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_missing_file(tmp_path: Path) -> None:
    done = run_cli(tmp_path / "nowhere.csv")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "nowhere.csv" in done.stderr


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(_csv().replace("A:x", "Hà Nội").encode("utf-16"))
    done = run_cli(path)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1


def test_quoted_line_break_counts_lines(tmp_path: Path) -> None:
    rows = [
        'R1,"Agency\nA",A:x,10,5,4,',
        "R2,A,A:x,10,3,,5",
        "R3,B,B:y,20,4,4,4",
        "R4,B,B:y,20,1,9,5",
    ]
    path = tmp_path / "multiline.csv"
    path.write_text(_csv(rows=rows), encoding="utf-8")
    done = run_cli(path)
    assert done.returncode == 2
    assert "line 6" in done.stderr


def test_na_and_spaces_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "na.csv"
    path.write_text(_replace(1, "R2,A,A:x,10, 3 ,NA,5"), encoding="utf-8")
    done = run_cli(path)
    assert done.returncode == 0, done.stderr


def test_help_exits_0() -> None:
    done = run_cli("--help")
    assert done.returncode == 0
    assert "--ci" in done.stdout


def test_api_reads_open_files_and_writes_paths(tmp_path: Path) -> None:
    import io

    from surveyapp.scoring import (
        DomainSpec,
        estimate,
        read_survey_csv,
        write_results_csv,
    )

    survey = read_survey_csv(io.StringIO(_csv()))
    assert survey.response_ids.tolist() == ["R1", "R2", "R3", "R4"]
    assert survey.agencies.tolist() == ["A", "A", "B", "B"]
    results = estimate(survey.data, DomainSpec.from_labels(survey.agencies))
    target = tmp_path / "out.csv"
    write_results_csv(results, target)
    lines = target.read_text().splitlines()
    assert len(lines) == 1 + 3 * (3 + 2 + 1)
