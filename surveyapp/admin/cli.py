"""`flask agencies` and `flask questionnaires`: the administrator's reference data.

The agency tree and the questionnaire versions are what an administrator sets up
before any counter can collect answers; the rules themselves live in core/ (tree,
catalogue), these commands only show and load them.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from surveyapp.admin.translations import (
    all_wording,
    export_csv,
    export_xlsx,
    import_wording,
    translatable_languages,
)
from surveyapp.core.catalogue import load_builtin_questionnaires, load_service_fields
from surveyapp.core.file_import import import_from_command_line
from surveyapp.core.tree import walk_tree
from surveyapp.extensions import db
from surveyapp.models import SOURCE_LANGUAGE

agencies_cli = AppGroup("agencies", help="The agency tree.")
questionnaires_cli = AppGroup("questionnaires", help="Questionnaire versions.")


@agencies_cli.command("list")
def agencies_list() -> None:
    """Print the agency tree, one agency a line: code, then the indented name."""
    for agency, depth in walk_tree():
        click.echo(f"{agency.code}\t{'  ' * depth}{agency.name}")


@questionnaires_cli.command("load")
def questionnaires_load() -> None:
    """Store the bundled questionnaires (sipas-2023, sipas-2017) and service fields."""
    added = load_builtin_questionnaires() + load_service_fields()
    db.session.commit()
    click.echo(f"added: {', '.join(added)}" if added else "nothing to add")


translations_cli = AppGroup(
    "translations",
    help="Questionnaire and service-field wording in other languages, in a file.",
)
questionnaires_cli.add_command(translations_cli)


@translations_cli.command("export")
@click.option("--language", "language", required=True, help="A code of LANGUAGES.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="FILE.xlsx or FILE.csv",
)
def translations_export(language: str, output: Path) -> None:
    """Write every text with its Vietnamese source and its LANGUAGE wording.

    Columns: kind, key, field, language, vi, text, missing. Translators fill
    "text" (a missing one is shown in Vietnamese) and leave the others as they are.
    """
    languages = translatable_languages(current_app.config["LANGUAGES"])
    if language not in languages:
        raise click.BadParameter(
            f"not one of LANGUAGES besides {SOURCE_LANGUAGE}: {', '.join(languages)}",
            param_hint="--language",
        )
    build = {".xlsx": export_xlsx, ".csv": export_csv}.get(output.suffix.lower())
    if build is None:
        raise click.BadParameter(
            "the file name must end in .xlsx or .csv", param_hint="-o"
        )
    wording = all_wording(language)
    output.write_bytes(build(language, wording))
    missing = sum(1 for text in wording if not text.text)
    click.echo(f"{output}: texts written, {missing} missing in {language}")


@translations_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def translations_import(file: Path) -> None:
    """Load the wording of a FILE written by `export`: every line, or none.

    On any problem, each is printed as "line N, column: reason", nothing is
    imported and the exit status is 1.
    """
    languages = current_app.config["LANGUAGES"]
    import_from_command_line(
        file,
        lambda data, name: import_wording(data, name, languages),
        "translations_import",
    )
