"""`flask maintenance`: the housekeeping a timer runs every minute."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from surveyapp.maintenance.tasks import run_maintenance

maintenance_cli = AppGroup(
    "maintenance", help="Periodic housekeeping, meant for a timer."
)


@maintenance_cli.command("run")
def maintenance_run() -> None:
    """Erase old network fingerprints and expired receipts, fold new responses.

    Idempotent: run it every minute (a systemd timer or cron); a run with nothing
    to do changes nothing. Prints one line per task with the rows it changed.
    """
    for done in run_maintenance():
        click.echo(str(done))
