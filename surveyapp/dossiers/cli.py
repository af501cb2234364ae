"""`flask dossiers`: import dossier counts and write the template."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from surveyapp.core.file_import import import_from_command_line
from surveyapp.dossiers.importer import import_counts
from surveyapp.dossiers.template import template_csv, template_xlsx

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
    import_from_command_line(file, import_counts, "dossier_upload")


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
