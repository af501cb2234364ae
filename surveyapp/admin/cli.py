"""`flask agencies` and `flask questionnaires`: the administrator's reference data.

The agency tree and the questionnaire versions are what an administrator sets up
before any counter can collect answers; the rules themselves live in core/ (tree,
catalogue), these commands only show and load them.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from surveyapp.core.catalogue import load_builtin_questionnaires, load_service_fields
from surveyapp.core.tree import walk_tree
from surveyapp.extensions import db

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
