"""Loading an uploaded file from the command line: all of it, or nothing, audited."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import click
from flask_babel import force_locale

from surveyapp.core.audit import record
from surveyapp.core.uploads import UploadError
from surveyapp.extensions import db


class ImportSummary(Protocol):
    """What an importer reports: printed, and kept in the audit log."""

    def as_dict(self) -> dict[str, Any]: ...


def import_from_command_line(
    file: Path, load: Callable[[bytes, str], ImportSummary], action: str
) -> None:
    """Run `load` on `file` and commit with an audit entry named `action`.

    On any problem, each is printed as "line N, column: reason", nothing is
    imported and the command exits with status 1.
    """
    # The command line speaks English, like the other commands; there is no
    # request to choose a language from.
    with force_locale("en"):
        try:
            summary = load(file.read_bytes(), file.name)
        except UploadError as error:
            db.session.rollback()
            for problem in error.errors:
                click.echo(str(problem), err=True)
            click.echo(f"{file}: nothing imported", err=True)
            raise SystemExit(1) from None
    record(action, target=file.name, details=summary.as_dict())
    db.session.commit()
    click.echo(f"{file}: {summary}")
