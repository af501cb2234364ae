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
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

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
    The file is read in chunks of rows, so memory grows with the numbers kept,
    not with the text.
    """
    if not isinstance(source, str | Path):
        return _parse(source)
    try:
        with open(source, newline="", encoding="utf-8-sig") as handle:
            return _parse(handle)
    except UnicodeDecodeError as error:
        raise SurveyInputError(f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise SurveyInputError(f"cannot read the file: {error.strerror}") from None


def _parse(handle: TextIO) -> SurveyFile:
    reader = csv.reader(handle, strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise SurveyInputError("the file is empty (no header line)")
        header = [cell.strip() for cell in header]
        builder = _SurveyBuilder(header, _check_header(header))
        width = len(header)
        chunk: list[list[str]] = []
        chunk_lines: list[int] = []
        previous_end = reader.line_num
        for row in reader:
            first_line = previous_end + 1  # a quoted field may span lines
            previous_end = reader.line_num
            if len(row) != width:
                if not row:
                    raise SurveyInputError(f"line {first_line}: empty line")
                raise SurveyInputError(
                    f"line {first_line}: {len(row)} fields, the header has {width}"
                )
            chunk.append(row)
            chunk_lines.append(first_line)
            if len(chunk) == _CHUNK_ROWS:
                builder.add(chunk, chunk_lines)
                chunk, chunk_lines = [], []
    except csv.Error as error:
        raise SurveyInputError(
            f"line {reader.line_num}: malformed CSV ({error})"
        ) from None
    if chunk:
        builder.add(chunk, chunk_lines)
    return builder.finish()


# Rows converted to arrays at a time: bounds the memory held as Python strings.
_CHUNK_ROWS = 50_000


class _Labels:
    """Factorises text labels to integer codes in order of first appearance."""

    def __init__(self) -> None:
        self.code_of: dict[str, int] = {}

    def encode(self, values: list[str]) -> NDArray[np.int64]:
        code_of = self.code_of
        return np.fromiter(
            (code_of.setdefault(value, len(code_of)) for value in values),
            dtype=np.int64,
            count=len(values),
        )

    @property
    def labels(self) -> list[str]:
        return list(self.code_of)


class _SurveyBuilder:
    """Validates chunks of rows and keeps their columns as arrays."""

    def __init__(self, header: list[str], columns: dict[str, int]) -> None:
        self.columns = columns
        self.criterion_codes = sorted(
            (name for name in header if CRITERION_CODE.match(name)),
            key=criterion_sort_key,
        )
        self.first_line_of_id: dict[str, int] = {}
        self.agencies = _Labels()
        self.strata = _Labels()
        self.psus = _Labels()
        self.parts: dict[str, list[NDArray[Any]]] = defaultdict(list)

    def add(self, rows: list[list[str]], lines: list[int]) -> None:
        by_column = list(zip(*rows, strict=True))
        columns = self.columns
        parts = self.parts
        parts["line"].append(np.array(lines, dtype=np.int64))
        ids = _texts(by_column[columns["response_id"]], "response_id", lines)
        self._check_distinct(ids, lines)
        parts["response_id"].append(np.array(ids, dtype=object))
        agencies = _texts(by_column[columns["agency"]], "agency", lines)
        parts["agency"].append(self.agencies.encode(agencies))
        strata = _texts(by_column[columns["stratum"]], "stratum", lines)
        parts["stratum"].append(self.strata.encode(strata))
        if "psu" in columns:
            # PSU ids are read within their stratum (R's nest = TRUE): "day 1"
            # of two strata are two PSUs.
            psus = _texts(by_column[columns["psu"]], "psu", lines)
            keys = [f"{s}\x1f{q}" for s, q in zip(strata, psus, strict=True)]
            parts["psu"].append(self.psus.encode(keys))
        weights = _numbers(by_column[columns["weight"]], "weight", lines)
        not_positive = ~(weights > 0)
        if not_positive.any():
            row = int(np.argmax(not_positive))
            raise SurveyInputError(
                f"line {lines[row]}, column weight: "
                f"{by_column[columns['weight']][row]!r} is not a positive number"
            )
        parts["weight"].append(weights)
        if "fpc" in columns:
            parts["fpc"].append(_numbers(by_column[columns["fpc"]], "fpc", lines))
        answers = np.empty((len(rows), len(self.criterion_codes)), dtype=np.int8)
        for j, code in enumerate(self.criterion_codes):
            answers[:, j] = _answers(by_column[columns[code]], code, lines)
        parts["answers"].append(answers)

    def _check_distinct(self, ids: list[str], lines: list[int]) -> None:
        first_line_of = self.first_line_of_id
        for value, line in zip(ids, lines, strict=True):
            first = first_line_of.setdefault(value, line)
            if first != line:
                raise SurveyInputError(
                    f"line {line}, column response_id: {value!r} repeats line {first}"
                )

    def finish(self) -> SurveyFile:
        if not self.parts:
            raise SurveyInputError("the file has a header but no responses")
        parts = {name: np.concatenate(arrays) for name, arrays in self.parts.items()}
        strata = parts["stratum"]
        stratum_labels = tuple(self.strata.labels)
        psu = parts.get("psu")
        _check_strata(strata, stratum_labels, psu, parts["line"])
        try:
            data = SurveyData.from_codes(
                answers=parts["answers"],
                criterion_codes=self.criterion_codes,
                weights=parts["weight"],
                strata=strata,
                stratum_labels=stratum_labels,
                psu=psu,
                fpc=parts.get("fpc"),
            )
        except ValueError as error:
            raise SurveyInputError(str(error)) from None
        agency_labels = np.array(self.agencies.labels, dtype=object)
        return SurveyFile(
            data=data,
            response_ids=parts["response_id"],
            agencies=agency_labels[parts["agency"]],
        )


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


def _texts(cells: tuple[str, ...], name: str, lines: list[int]) -> list[str]:
    values = [cell.strip() for cell in cells]
    if "" in values:
        row = values.index("")
        raise SurveyInputError(f"line {lines[row]}, column {name}: empty value")
    return values


def _numbers(
    cells: tuple[str, ...], name: str, lines: list[int]
) -> NDArray[np.float64]:
    values = np.empty(len(cells))
    for row, cell in enumerate(cells):
        try:
            number = float(cell)
        except ValueError:
            raise SurveyInputError(
                f"line {lines[row]}, column {name}: {cell!r} is not a number"
            ) from None
        if not math.isfinite(number):
            raise SurveyInputError(
                f"line {lines[row]}, column {name}: {cell!r} is not a finite number"
            )
        values[row] = number
    return values


def _answers(cells: tuple[str, ...], code: str, lines: list[int]) -> NDArray[np.int8]:
    lookup = _ANSWER_CODES.get
    codes = np.array([lookup(cell, _BAD_ANSWER) for cell in cells], dtype=np.int8)
    bad = codes == _BAD_ANSWER
    if bad.any():
        # Tolerate surrounding spaces before calling a value wrong.
        for row in np.flatnonzero(bad).tolist():
            stripped = cells[row].strip()
            if stripped not in _ANSWER_CODES:
                raise SurveyInputError(
                    f"line {lines[row]}, column {code}: {cells[row]!r} is not an "
                    "answer (a whole number 1..5, or empty for not answered)"
                )
            codes[row] = _ANSWER_CODES[stripped]
    return codes


def _check_strata(
    strata: NDArray[np.int64],
    stratum_labels: tuple[str, ...],
    psu: NDArray[np.int64] | None,
    lines: NDArray[np.int64],
) -> None:
    """A stratum with a single PSU cannot have a variance: name its line."""
    n_strata = len(stratum_labels)
    if psu is None:
        counts = np.bincount(strata, minlength=n_strata)
        unit = "response"
    else:
        # PSU codes are distinct across strata (keyed by stratum and id).
        first_row_of_psu = np.unique(psu, return_index=True)[1]
        counts = np.bincount(strata[first_row_of_psu], minlength=n_strata)
        unit = "PSU"
    single = np.flatnonzero(counts == 1)
    if single.size:
        # Strata are numbered by first appearance: the lowest is met first.
        h = int(single[0])
        row = int(np.argmax(strata == h))
        raise SurveyInputError(
            f"line {int(lines[row])}, column stratum: stratum {stratum_labels[h]!r} "
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
