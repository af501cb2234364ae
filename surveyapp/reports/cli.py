"""`flask responses export`, `flask sipas export` and `flask cells`: raw data,
yearly reports and the response cells they are computed from."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from surveyapp.analysis.folding import (
    fold_responses,
    rebuild_cells,
    tidy_after_rebuild,
)
from surveyapp.analysis.scores import ScoringError
from surveyapp.core.audit import record
from surveyapp.core.time import PeriodError
from surveyapp.extensions import db
from surveyapp.models import Agency, get_by_code
from surveyapp.reports.files import render
from surveyapp.reports.finalise import year_report
from surveyapp.reports.responses_csv import ExportError, write_responses_csv
from surveyapp.web.language import interface_locale

responses_cli = AppGroup("responses", help="Citizens' responses.")
sipas_cli = AppGroup("sipas", help="Yearly SIPAS-style reports.")


@responses_cli.command("export")
@click.option(
    "--year",
    type=int,
    help="Only responses submitted in this year (local time, as on the dashboard).",
)
@click.option(
    "--agency",
    "agency_code",
    help="Only responses of this agency and all its descendants.",
)
@click.option(
    "--questionnaire",
    "questionnaire_code",
    help="Questionnaire version code (default: the most used in the selection).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file (default: standard output).",
)
def responses_export(
    year: int | None,
    agency_code: str | None,
    questionnaire_code: str | None,
    output: Path | None,
) -> None:
    """Export raw responses as CSV, in the scoring command's input format.

    Columns: response_id, agency (the service point), stratum, weight, then
    F<factor>.<item> answers (1..5, empty for no opinion). Weights and strata
    are the ones the app uses for exactly these responses (computed over the
    year, or without --year over the whole months the responses span). Feed it
    to `python -m surveyapp.scoring`.
    """
    try:
        if output is None:
            count = write_responses_csv(
                sys.stdout, year, questionnaire_code, agency_code
            )
        else:
            with output.open("w", newline="", encoding="utf-8") as handle:
                count = write_responses_csv(
                    handle, year, questionnaire_code, agency_code
                )
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{count} responses exported", err=True)


@sipas_cli.command("export")
@click.option("--year", type=int, required=True, help="Calendar year (local time).")
@click.option(
    "--agency",
    "agency_code",
    required=True,
    help="Agency code: the report covers its whole subtree.",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["xlsx", "csv", "pdf"]),
    required=True,
    help="xlsx: sheets per tree level, factors, criteria, QĐ 766, trend, change "
    "since the previous year, comments, method; csv: one tidy table rounded as "
    "the page (UTF-8 with BOM); pdf: a printable report.",
)
@click.option(
    "--questionnaire",
    "questionnaire_code",
    help="Questionnaire version code (default: the agency's own).",
)
@click.option(
    "--language",
    default="vi",
    show_default=True,
    help="A language of LANGUAGES: the files' labels (its catalogue, else "
    "Vietnamese), questionnaire wording (its translations, else Vietnamese) and "
    "PDF font (PDF_FONTS).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write.",
)
def sipas_export(
    year: int,
    agency_code: str,
    file_format: str,
    questionnaire_code: str | None,
    language: str,
    output: Path,
) -> None:
    """Write the yearly report of an agency subtree, in Vietnamese or --language.

    A finalised year is exported from its stored results (only its wording
    follows the language); otherwise the year is computed from the current
    responses, exactly as the dashboard does.
    """
    if language not in current_app.config["LANGUAGES"]:
        raise click.BadParameter(
            f"{language!r} is not in LANGUAGES "
            f"({', '.join(current_app.config['LANGUAGES'])})",
            param_hint="--language",
        )
    agency = get_by_code(Agency, agency_code)
    if agency is None:
        raise click.ClickException(f"no agency with code {agency_code!r}")
    with force_locale(interface_locale(language)):
        try:
            report = year_report(agency, year, questionnaire_code)
            content = render(report, file_format, language)
        except (ScoringError, PeriodError) as error:
            raise click.ClickException(str(error)) from None
    output.write_bytes(content)
    record(
        "export",
        target=agency.code,
        details={
            "year": year,
            "format": file_format,
            "questionnaire": report.questionnaire,
            "language": language,
            "via": "cli",
        },
    )
    db.session.commit()
    state = "finalised" if report.finalised else "computed"
    click.echo(f"{output}: {report.response_count} responses ({state})")


cells_cli = AppGroup(
    "cells", help="Response cells: the summed responses every page reads."
)


@cells_cli.command("fold")
def cells_fold() -> None:
    """Fold new scored responses into their cells (run every minute or so).

    Pages read unfolded responses one by one, so folding keeps them fast; the
    numbers are the same either way.
    """
    folded = fold_responses()
    db.session.commit()
    click.echo(f"{folded} responses folded into cells.")


@cells_cli.command("rebuild")
def cells_rebuild() -> None:
    """Rebuild every cell from the responses (after a restore or a repair)."""
    folded = rebuild_cells()
    db.session.commit()
    tidy_after_rebuild()
    click.echo(f"Cells rebuilt from {folded} scored responses.")
