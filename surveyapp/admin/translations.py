"""Questionnaire and service-field wording in a file, for translators.

The export lists every text with its stable key, its Vietnamese source and its
wording in one language (empty, and marked missing, where the Vietnamese is shown
instead). The import is all or nothing: every line is checked first (known key,
the Vietnamese source as exported, a language of LANGUAGES, no line twice) and
every problem is reported with its line; a clean file replaces the wording it
gives, removes the wording it leaves empty, and raises the questionnaires'
wording revision so every worker rebuilds the survey pages it keeps. The caller
commits, with the audit event.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from sqlalchemy import select, update

from surveyapp.core.uploads import (
    RowError,
    UploadError,
    cell_at,
    header_positions,
    is_blank,
    read_lines,
)
from surveyapp.extensions import db
from surveyapp.models import (
    SOURCE_LANGUAGE,
    Criterion,
    Factor,
    Questionnaire,
    ServiceField,
    Translation,
)
from surveyapp.models.translations import TRANSLATED_FIELDS, read_texts

MAX_ROWS = 10_000
HEADER = ("kind", "key", "field", "language", SOURCE_LANGUAGE, "text", "missing")
# Field -> accepted headers, compared without case, diacritics, "_" or extra spaces;
# "missing" is written for the translator and never read.
COLUMNS: dict[str, tuple[str, ...]] = {
    "kind": ("kind", "loai"),
    "key": ("key", "ma"),
    "field": ("field", "truong"),
    "language": ("language", "ngon_ngu"),
    SOURCE_LANGUAGE: (SOURCE_LANGUAGE, "tieng_viet"),
    "text": ("text", "ban_dich"),
}
# The kind of text each table holds, as the file names it.
KINDS = {
    "questionnaires": "questionnaire",
    "factors": "factor",
    "criteria": "criterion",
    "service_fields": "service_field",
}


@dataclass(frozen=True)
class Wording:
    """One text: where it is stored, its key in the file, its source and its wording."""

    table: str
    row_id: int
    key: str
    source: str
    text: str  # "" when missing in the language

    @property
    def kind(self) -> str:
        return KINDS[self.table]

    @property
    def field(self) -> str:
        return TRANSLATED_FIELDS[self.table][0]

    @property
    def address(self) -> tuple[str, str, str]:
        """(kind, key, field): how a line of the file names this text."""
        return (self.kind, self.key, self.field)


def _keyed_rows() -> Iterator[tuple[str, int, str]]:
    """(table, row id, stable key) of every text, in the order of the survey."""
    questionnaires = db.session.execute(
        select(Questionnaire.id, Questionnaire.code).order_by(Questionnaire.code)
    ).all()
    for questionnaire in questionnaires:
        yield "questionnaires", questionnaire.id, questionnaire.code
        rows = db.session.execute(
            select(Factor.id, Factor.code, Criterion.id, Criterion.code)
            .join(Criterion, Criterion.factor_id == Factor.id)
            .where(Factor.questionnaire_id == questionnaire.id)
            .order_by(Factor.position, Criterion.position)
        ).tuples()
        seen_factor = None
        for factor_id, factor_code, criterion_id, criterion_code in rows:
            if factor_id != seen_factor:
                seen_factor = factor_id
                yield "factors", factor_id, f"{questionnaire.code}/{factor_code}"
            yield "criteria", criterion_id, f"{questionnaire.code}/{criterion_code}"
    fields = select(ServiceField.id, ServiceField.code).order_by(
        ServiceField.position, ServiceField.code
    )
    for field_id, code in db.session.execute(fields).tuples():
        yield "service_fields", field_id, code


def all_wording(language: str) -> list[Wording]:
    """Every text of every questionnaire and service field, in `language`."""
    texts = {table: read_texts(table) for table in TRANSLATED_FIELDS}
    return [
        Wording(
            table,
            row_id,
            key,
            texts[table].get(row_id, {}).get(SOURCE_LANGUAGE, ""),
            texts[table].get(row_id, {}).get(language, ""),
        )
        for table, row_id, key in _keyed_rows()
    ]


def translatable_languages(languages: Sequence[str]) -> list[str]:
    """The languages of LANGUAGES one can translate into: all but the source."""
    return [code for code in languages if code != SOURCE_LANGUAGE]


def _export_rows(
    language: str, wording: Sequence[Wording] | None
) -> Iterator[tuple[str, ...]]:
    yield HEADER
    for text in all_wording(language) if wording is None else wording:
        missing = "" if text.text else "missing"
        yield (*text.address, language, text.source, text.text, missing)


def export_csv(language: str, wording: Sequence[Wording] | None = None) -> bytes:
    """The texts as CSV, UTF-8 with a BOM so that Excel reads the accents.

    `wording` is `all_wording(language)` when the caller has already read it.
    """
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(_export_rows(language, wording))
    return buffer.getvalue().encode("utf-8-sig")


def export_xlsx(language: str, wording: Sequence[Wording] | None = None) -> bytes:
    """The texts as a one-sheet workbook; `wording` as for `export_csv`."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"translations-{language}")
    for width, column in zip((14, 22, 8, 10, 60, 60, 10), "ABCDEFG", strict=True):
        sheet.column_dimensions[column].width = width
    for row in _export_rows(language, wording):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class ImportSummary:
    """What an import changed, per language."""

    languages: tuple[str, ...]
    rows: int
    added: int
    changed: int
    removed: int

    def as_dict(self) -> dict[str, object]:
        """For the audit log (JSON)."""
        details = asdict(self)
        details["languages"] = list(self.languages)
        return details

    def __str__(self) -> str:
        return (
            f"{self.rows} texts read ({', '.join(self.languages) or '-'}): "
            f"{self.added} added, {self.changed} changed, {self.removed} removed"
        )


@dataclass(frozen=True)
class _Line:
    """A checked line: the text it addresses, its language and its new wording."""

    wording: Wording
    language: str
    text: str


class _Checker:
    """Checks lines one by one, remembering the ones seen to find repeats."""

    def __init__(self, positions: dict[str, int], languages: Sequence[str]) -> None:
        self.positions = positions
        self.languages = translatable_languages(languages)
        # Any language will do: only the addresses and sources are looked at.
        self.known = {w.address: w for w in all_wording(SOURCE_LANGUAGE)}
        self.seen: dict[tuple[str, str, str, str], int] = {}

    def cell(self, cells: Sequence[object], name: str) -> str:
        return cell_at(cells, self.positions[name])

    def check(self, line: int, cells: Sequence[object]) -> _Line | list[RowError]:
        address = (
            self.cell(cells, "kind"),
            self.cell(cells, "key"),
            self.cell(cells, "field"),
        )
        language = self.cell(cells, "language")
        errors = []
        if language not in self.languages:
            reason = _l(
                "Unknown language “%(code)s”: a translation is for one of %(codes)s "
                "(LANGUAGES); the Vietnamese source changes only with a new "
                "questionnaire version.",
                code=language,
                codes=", ".join(self.languages) or "-",
            )
            errors.append(RowError(line, "language", reason))
        wording = self.known.get(address)
        if wording is None:
            reason = _l(
                "Unknown text “%(address)s”: export the file again and keep the "
                "kind, key and field columns as they are.",
                address=" / ".join(address),
            )
            errors.append(RowError(line, "key", reason))
        elif self.cell(cells, SOURCE_LANGUAGE) != wording.source:
            reason = _l(
                "The Vietnamese source is not the stored wording: it was changed in "
                "the file, or the file is older than the questionnaire. Export it "
                "again."
            )
            errors.append(RowError(line, SOURCE_LANGUAGE, reason))
        earlier = self.seen.setdefault((*address, language), line)
        if earlier != line:
            reason = _l("This text is already on line %(line)d.", line=earlier)
            errors.append(RowError(line, "key", reason))
        if errors or wording is None:
            return errors
        return _Line(wording, language, self.cell(cells, "text"))


def _check_file(data: bytes, filename: str, languages: Sequence[str]) -> list[_Line]:
    """Every line of the file, checked; UploadError with every problem."""
    _, lines = read_lines(data, filename, MAX_ROWS)
    header = next(lines, None)
    if header is None:
        raise UploadError([RowError(None, "", _l("The file is empty."))])
    line, cells = header
    checker = _Checker(header_positions(COLUMNS, cells, line), languages)
    checked: list[_Line] = []
    errors: list[RowError] = []
    for line, cells in lines:
        if is_blank(cells):
            continue
        outcome = checker.check(line, cells)
        if isinstance(outcome, list):
            errors.extend(outcome)
        else:
            checked.append(outcome)
    if errors:
        raise UploadError(errors)
    return checked


def import_wording(
    data: bytes, filename: str, languages: Sequence[str]
) -> ImportSummary:
    """Check the whole file, then store its wording; UploadError, nothing stored.

    A filled text is stored (added or changed); an empty one removes the
    language's wording, so that the Vietnamese is shown. The caller commits.
    """
    lines = _check_file(data, filename, languages)
    file_languages = sorted({line.language for line in lines})
    stored = _stored_wording(file_languages)
    counts = {"added": 0, "changed": 0, "removed": 0}
    for line in lines:
        outcome = _store(line, stored)
        if outcome:
            counts[outcome] += 1
    if any(counts.values()):
        # Every survey page that keeps wording is rebuilt on its next request.
        db.session.execute(
            update(Questionnaire).values(
                wording_revision=Questionnaire.wording_revision + 1
            )
        )
    return ImportSummary(
        languages=tuple(file_languages),
        rows=len(lines),
        **counts,
    )


# (table, row id, field, language) of a stored wording.
_StoredKey = tuple[str, int, str, str]


def _stored_wording(languages: Sequence[str]) -> dict[_StoredKey, Translation]:
    """The stored wording in `languages`, read in one query for the whole file."""
    query = select(Translation).where(Translation.language.in_(languages))
    return {
        (row.table_name, row.row_id, row.field, row.language): row
        for row in db.session.scalars(query)
    }


def _store(line: _Line, stored: dict[_StoredKey, Translation]) -> str | None:
    """Write one line's wording; "added", "changed", "removed" or None (same).

    `stored` is the wording in the file's languages; the checker lets a text
    and language through once, so no line finds another's change in it.
    """
    wording, language = line.wording, line.language
    translation = stored.get((wording.table, wording.row_id, wording.field, language))
    if not line.text:
        if translation is None:
            return None
        db.session.delete(translation)
        return "removed"
    if translation is None:
        db.session.add(
            Translation(
                table_name=wording.table,
                row_id=wording.row_id,
                field=wording.field,
                language=language,
                text=line.text,
            )
        )
        return "added"
    if translation.text == line.text:
        return None
    translation.text = line.text
    return "changed"
