"""Reading survey CSV files and writing result CSV files.

Input format (``shared/reference/README.md``): a header, then one row per
response, with columns

- ``response_id`` (distinct, non-empty), ``agency`` (non-empty),
  ``stratum`` (the weighting cell, non-empty), ``weight`` (a positive number);
- criterion columns ``F<factor>.<criterion>`` holding 1..5, or empty (also
  ``NA``, as R writes it) for "not answered";
- optionally ``psu`` (cluster id, nested in strata) and ``fpc`` (population
  number of PSUs in the row's stratum).

Any other column is an error. Errors are :class:`SurveyInputError` (a
``ValueError``) whose one-line message names the line number (the header is
line 1) or the column.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np
from numpy.typing import NDArray

from surveyapp.scoring.data import CRITERION_CODE, SurveyData, criterion_sort_key
from surveyapp.scoring.results import COLUMNS, Results

REQUIRED_COLUMNS = ("response_id", "agency", "stratum", "weight")
OPTIONAL_COLUMNS = ("psu", "fpc")
#: Cell texts accepted in criterion columns, and the stored answer (0 = missing).
_ANSWER_CODES = {"": 0, "NA": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5}
_BAD_ANSWER = -1


class SurveyInputError(ValueError):
    """Invalid survey input; the message is one line naming the row or column."""


@dataclass(frozen=True, eq=False)
class SurveyFile:
    """A parsed survey CSV: the validated data plus the row labels.

    ``response_ids`` and ``agencies``: object arrays of str (n,), in file order,
    aligned with the rows of ``data.answers``.
    """

    data: SurveyData
    response_ids: NDArray[np.object_]
    agencies: NDArray[np.object_]


def read_survey_csv(source: str | Path | TextIO) -> SurveyFile:
    """Parse and validate a survey CSV (path or open text file).

    Raises :class:`SurveyInputError` for anything that is not a valid survey:
    an empty file, a missing, unknown or repeated column, a row with the wrong
    number of fields, an answer that is not a whole number 1..5, a weight that
    is not a positive number, an empty or repeated ``response_id``, an empty
    agency or stratum, a stratum (or PSU-clustered stratum) with a single PSU.
    """
    if isinstance(source, str | Path):
        try:
            with open(source, newline="", encoding="utf-8-sig") as handle:
                text = handle.read()
        except UnicodeDecodeError as error:
            raise SurveyInputError(
                f"{source}: not UTF-8 text ({error.reason})"
            ) from None
        except OSError as error:
            raise SurveyInputError(f"{source}: {error.strerror}") from None
    else:
        text = source.read()
    return _parse(text)


def _parse(text: str) -> SurveyFile:
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise SurveyInputError("the file is empty (no header line)")
        header = [cell.strip() for cell in header]
        columns = _check_header(header)
        rows: list[list[str]] = []
        width = len(header)
        for row in reader:
            if len(row) != width:
                if not row:
                    raise SurveyInputError(f"line {reader.line_num}: empty line")
                raise SurveyInputError(
                    f"line {reader.line_num}: {len(row)} fields, the header has {width}"
                )
            rows.append(row)
    except csv.Error as error:
        raise SurveyInputError(
            f"line {reader.line_num}: malformed CSV ({error})"
        ) from None
    if not rows:
        raise SurveyInputError("the file has a header but no responses")
    line_of = _line_numbers(text, len(rows))
    by_column = list(zip(*rows, strict=True))
    del rows

    response_ids = _text_column(
        by_column[columns["response_id"]], "response_id", line_of
    )
    _check_distinct(response_ids, line_of)
    agencies = _text_column(by_column[columns["agency"]], "agency", line_of)
    strata = _text_column(by_column[columns["stratum"]], "stratum", line_of)
    weights = _number_column(by_column[columns["weight"]], "weight", line_of)
    if not (weights > 0).all():
        row = int(np.argmin(weights > 0))
        raise SurveyInputError(
            f"line {line_of(row)}, column weight: {by_column[columns['weight']][row]!r} "
            "is not a positive number"
        )
    criterion_codes = sorted(
        (name for name in header if CRITERION_CODE.match(name)), key=criterion_sort_key
    )
    answers = np.empty((len(response_ids), len(criterion_codes)), dtype=np.int8)
    for j, code in enumerate(criterion_codes):
        answers[:, j] = _answer_column(by_column[columns[code]], code, line_of)
    psu = None
    if "psu" in columns:
        # PSU ids are read within their stratum (R's nest = TRUE): "day 1" of
        # two strata are two PSUs.
        psu = _text_column(by_column[columns["psu"]], "psu", line_of)
        psu = strata + "\x1f" + psu
    fpc = None
    if "fpc" in columns:
        fpc = _number_column(by_column[columns["fpc"]], "fpc", line_of)
    _check_strata(strata, psu, line_of)
    try:
        data = SurveyData.from_arrays(
            answers, criterion_codes, weights, strata, psu, fpc
        )
    except ValueError as error:
        raise SurveyInputError(str(error)) from None
    return SurveyFile(data=data, response_ids=response_ids, agencies=agencies)


def _check_header(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for position, name in enumerate(header):
        if name in columns:
            raise SurveyInputError(f"column {name!r} appears twice in the header")
        known = name in REQUIRED_COLUMNS or name in OPTIONAL_COLUMNS
        if not known and not CRITERION_CODE.match(name):
            raise SurveyInputError(
                f"unknown column {name!r} (expected {', '.join(REQUIRED_COLUMNS)}, "
                "criterion columns F<factor>.<criterion>, optional psu, fpc)"
            )
        columns[name] = position
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            raise SurveyInputError(f"missing required column {name!r}")
    if not any(CRITERION_CODE.match(name) for name in header):
        raise SurveyInputError("no criterion columns (F<factor>.<criterion>)")
    return columns


class _LineOf:
    """Maps a data row index (0-based) to its line number in the file."""

    def __init__(self, starts: list[int] | None) -> None:
        self._starts = starts

    def __call__(self, row: int) -> int:
        return row + 2 if self._starts is None else self._starts[row]


def _line_numbers(text: str, n_rows: int) -> _LineOf:
    # Without quoted line breaks, row i is on line i + 2; only count lines
    # record by record when some field spans lines.
    if text.count("\n") - (0 if text.endswith("\n") else -1) == n_rows + 1:
        return _LineOf(None)
    reader = csv.reader(io.StringIO(text))
    next(reader)
    starts: list[int] = []
    previous_end = reader.line_num
    for _ in reader:
        starts.append(previous_end + 1)
        previous_end = reader.line_num
    return _LineOf(starts)


def _text_column(
    cells: tuple[str, ...], name: str, line_of: _LineOf
) -> NDArray[np.object_]:
    values = np.array([cell.strip() for cell in cells], dtype=object)
    empty = values == ""
    if empty.any():
        row = int(np.argmax(empty))
        raise SurveyInputError(f"line {line_of(row)}, column {name}: empty value")
    return values


def _number_column(
    cells: tuple[str, ...], name: str, line_of: _LineOf
) -> NDArray[np.float64]:
    values = np.empty(len(cells))
    for row, cell in enumerate(cells):
        try:
            number = float(cell)
        except ValueError:
            raise SurveyInputError(
                f"line {line_of(row)}, column {name}: {cell!r} is not a number"
            ) from None
        if not math.isfinite(number):
            raise SurveyInputError(
                f"line {line_of(row)}, column {name}: {cell!r} is not a finite number"
            )
        values[row] = number
    return values


def _answer_column(
    cells: tuple[str, ...], code: str, line_of: _LineOf
) -> NDArray[np.int8]:
    lookup = _ANSWER_CODES.get
    codes = np.array([lookup(cell, _BAD_ANSWER) for cell in cells], dtype=np.int8)
    bad = codes == _BAD_ANSWER
    if bad.any():
        # Tolerate surrounding spaces before calling a value wrong.
        for row in np.flatnonzero(bad):
            stripped = cells[row].strip()
            if stripped not in _ANSWER_CODES:
                raise SurveyInputError(
                    f"line {line_of(int(row))}, column {code}: {cells[row]!r} is not "
                    "an answer (a whole number 1..5, or empty for not answered)"
                )
            codes[row] = _ANSWER_CODES[stripped]
    return codes


def _check_distinct(response_ids: NDArray[np.object_], line_of: _LineOf) -> None:
    first_row: dict[object, int] = {}
    for row, value in enumerate(response_ids):
        previous = first_row.setdefault(value, row)
        if previous != row:
            raise SurveyInputError(
                f"line {line_of(row)}, column response_id: {value!r} repeats "
                f"line {line_of(previous)}"
            )


def _check_strata(
    strata: NDArray[np.object_], psu: NDArray[np.object_] | None, line_of: _LineOf
) -> None:
    """A stratum with a single PSU cannot have a variance: name its line."""
    labels, first, inverse = np.unique(
        strata.astype(str), return_index=True, return_inverse=True
    )
    stratum_code = inverse.reshape(-1).astype(np.int64)
    if psu is None:
        counts = np.bincount(stratum_code, minlength=labels.size)
        unit = "response"
    else:
        psu_code = np.unique(psu.astype(str), return_inverse=True)[1].reshape(-1)
        pair_key = stratum_code * np.int64(psu_code.max() + 1) + psu_code
        distinct_pairs = np.unique(pair_key)
        counts = np.bincount(
            distinct_pairs // np.int64(psu_code.max() + 1), minlength=labels.size
        )
        unit = "PSU"
    single = np.flatnonzero(counts == 1)
    if single.size:
        h = int(single[np.argmin(first[single])])
        raise SurveyInputError(
            f"line {line_of(int(first[h]))}, column stratum: stratum {labels[h]!r} "
            f"has a single {unit}; its variance cannot be estimated"
        )


def format_float(value: float) -> str:
    """Full precision (``repr``) for finite numbers, empty for NaN."""
    return "" if math.isnan(value) else repr(float(value))


def write_results_csv(results: Results, target: str | Path | TextIO) -> None:
    """Write results as CSV with the columns :data:`COLUMNS`.

    Floats are printed with ``repr`` (shortest text that reads back to the same
    float); undefined values (no data) are empty cells.
    """
    if isinstance(target, str | Path):
        with open(target, "w", newline="", encoding="utf-8") as handle:
            _write(results, handle)
    else:
        _write(results, target)


def _write(results: Results, handle: TextIO) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_formatted_rows(results))


def _formatted_rows(results: Results) -> Iterator[list[str]]:
    floats = [
        [format_float(v) for v in column.tolist()]
        for column in (
            results.estimate,
            results.se,
            results.ci_low,
            results.ci_high,
            results.n_eff,
            results.mean_score,
        )
    ]
    estimate, se, low, high, n_eff, mean_score = floats
    domain = results.domain.tolist()
    level = results.level.tolist()
    code = results.code.tolist()
    n = results.n.tolist()
    df = results.df.tolist()
    flag = results.flag.tolist()
    reasons = results.flag_reasons.tolist()
    for i in range(len(results)):
        yield [
            domain[i],
            level[i],
            code[i],
            str(n[i]),
            str(df[i]),
            estimate[i],
            se[i],
            low[i],
            high[i],
            n_eff[i],
            flag[i],
            reasons[i],
            mean_score[i],
        ]
