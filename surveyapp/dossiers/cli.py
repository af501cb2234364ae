"""`flask dossiers`: import dossier counts and write the template."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from surveyapp.core.audit import record
from surveyapp.core.uploads import UploadError
from surveyapp.dossiers.importer import import_counts
from surveyapp.dossiers.template import template_csv, template_xlsx
from surveyapp.extensions import db

dossiers_cli = AppGroup(
    "dossiers", help="Dossier counts per agency, service field and month."
)


@dossiers_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def dossiers_import(file: Path) -> None:
    """Import dossier counts from a CSV or XLSX FILE: every row, or none.

    Columns: agency_code, service_field_code, year, month, dossiers (or ma_co_quan,
    ma_linh_vuc, nam, thang, so_ho_so). Counts already stored for the same agency,
    service field and month are replaced. On any problem, each is printed as
    "line N, column: reason", nothing is imported and the exit status is 1.
    """
    # The command line speaks English, like the other commands; there is no request
    # to choose a language from.
    with force_locale("en"):
        try:
            summary = import_counts(file.read_bytes(), file.name)
        except UploadError as error:
            db.session.rollback()
            for problem in error.errors:
                click.echo(str(problem), err=True)
            click.echo(f"{file}: nothing imported", err=True)
            raise SystemExit(1) from None
    record("dossier_upload", target=file.name, details=summary.as_dict())
    db.session.commit()
    click.echo(f"{file}: {summary}")


@dossiers_cli.command("template")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="FILE.xlsx or FILE.csv",
)
def dossiers_template(output: Path) -> None:
    """Write the upload template, with example rows using real codes.

    The .xlsx template also lists the agency and service field codes.
    """
    build = {".xlsx": template_xlsx, ".csv": template_csv}.get(output.suffix.lower())
    if build is None:
        raise click.BadParameter(
            "the file name must end in .xlsx or .csv", param_hint="-o"
        )
    output.write_bytes(build())
    click.echo(f"{output}: template written")
