"""`flask` commands: demo data, questionnaires, counters and response exports."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from surveyapp.core.catalogue import load_builtin_questionnaires, load_service_fields
from surveyapp.core.links import qr_png, qr_svg, survey_url
from surveyapp.dossiers.cli import dossiers_cli
from surveyapp.extensions import db
from surveyapp.kiosk.cli import kiosks_cli
from surveyapp.models import Counter, Role, get_by_code
from surveyapp.receipts.cli import apikeys_cli, receipts_cli

demo_cli = AppGroup("demo", help="Demonstration data for a fictional province.")
questionnaires_cli = AppGroup("questionnaires", help="Questionnaire versions.")
counters_cli = AppGroup("counters", help="Counters and their QR codes.")
responses_cli = AppGroup("responses", help="Citizens' responses.")
users_cli = AppGroup("users", help="Managers' accounts.")
agencies_cli = AppGroup("agencies", help="The agency tree.")
sipas_cli = AppGroup("sipas", help="Yearly SIPAS-style reports.")
command_groups = [
    demo_cli,
    questionnaires_cli,
    counters_cli,
    responses_cli,
    users_cli,
    agencies_cli,
    dossiers_cli,
    sipas_cli,
    kiosks_cli,
    receipts_cli,
    apikeys_cli,
]


@demo_cli.command("load")
@click.option(
    "--responses",
    "response_count",
    default=20_000,
    show_default=True,
    help="How many synthetic responses to create.",
)
@click.option("--seed", default=2025, show_default=True, help="Random seed.")
def demo_load(response_count: int, seed: int) -> None:
    """Load "Tỉnh Mẫu", a fictional province, with synthetic responses.

    Idempotent: a second run finds the province and adds nothing.
    """
    from surveyapp.demo.load import load_demo

    summary = load_demo(response_count=response_count, seed=seed)
    click.echo(summary)


@questionnaires_cli.command("load")
def questionnaires_load() -> None:
    """Store the bundled questionnaires (sipas-2023, sipas-2017) and service fields."""
    added = load_builtin_questionnaires() + load_service_fields()
    db.session.commit()
    click.echo(f"added: {', '.join(added)}" if added else "nothing to add")


def _counter_or_exit(code: str) -> Counter:
    counter = get_by_code(Counter, code)
    if counter is None:
        raise click.ClickException(
            f"no counter with code {code!r}; see `flask counters list`"
        )
    return counter


@counters_cli.command("list")
def counters_list() -> None:
    """List counters: code, service point, name, active."""
    counters = db.session.scalars(select(Counter).order_by(Counter.code))
    for counter in counters:
        state = "" if counter.active else "\t(inactive)"
        click.echo(
            f"{counter.code}\t{counter.service_point.name}\t{counter.name}{state}"
        )


@counters_cli.command("url")
@click.argument("code")
def counters_url(code: str) -> None:
    """Print the signed survey URL of counter CODE (host: PUBLIC_BASE_URL)."""
    click.echo(survey_url(_counter_or_exit(code)))


@counters_cli.command("qr")
@click.argument("code")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="FILE.png or FILE.svg",
)
def counters_qr(code: str, output: Path) -> None:
    """Write the QR code of counter CODE's survey URL to a PNG or SVG file."""
    render = {".png": qr_png, ".svg": qr_svg}.get(output.suffix.lower())
    if render is None:
        raise click.BadParameter(
            "the file name must end in .png or .svg", param_hint="-o"
        )
    url = survey_url(_counter_or_exit(code))
    output.write_bytes(render(url))
    click.echo(f"{output}: {url}")


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
    from surveyapp.reports.responses_csv import ExportError, write_responses_csv

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


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    required=True,
    help="admin: everything; manager: an agency subtree, with exports; "
    "viewer: an agency subtree, read-only.",
)
@click.option(
    "--agency",
    "agency_code",
    required=True,
    help="Code of the agency whose subtree the user sees.",
)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when omitted.",
)
def users_create(email: str, role: str, agency_code: str, password: str) -> None:
    """Create a user attached to an agency."""
    from surveyapp.auth.accounts import AccountError, create_user

    try:
        user = create_user(email, role, agency_code, password)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"created {user.role} {user.email} for {agency_code}")


@agencies_cli.command("list")
def agencies_list() -> None:
    """Print the agency tree, one agency a line: code, then the indented name."""
    from surveyapp.core.tree import walk_tree

    for agency, depth in walk_tree():
        click.echo(f"{agency.code}\t{'  ' * depth}{agency.name}")


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
    help="xlsx: sheets per tree level, factors, criteria, method; csv: one tidy "
    "table (UTF-8 with BOM); pdf: a printable report.",
)
@click.option(
    "--questionnaire",
    "questionnaire_code",
    help="Questionnaire version code (default: the agency's own).",
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
    output: Path,
) -> None:
    """Write the yearly report of an agency subtree, in Vietnamese.

    A finalised year is exported from its stored results; otherwise the year is
    computed from the current responses, exactly as the dashboard does.
    """
    from flask_babel import force_locale

    from surveyapp.analysis.scores import ScoringError
    from surveyapp.core.audit import record
    from surveyapp.core.time import PeriodError
    from surveyapp.models import Agency
    from surveyapp.reports.files import render
    from surveyapp.reports.finalise import year_report

    agency = get_by_code(Agency, agency_code)
    if agency is None:
        raise click.ClickException(f"no agency with code {agency_code!r}")
    with force_locale("vi"):
        try:
            report = year_report(agency, year, questionnaire_code)
            content = render(report, file_format)
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
            "via": "cli",
        },
    )
    db.session.commit()
    state = "finalised" if report.finalised else "computed"
    click.echo(f"{output}: {report.response_count} responses ({state})")
