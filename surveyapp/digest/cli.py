"""`flask digest`: the weekly email to managers and admins."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from surveyapp.core.time import local_today
from surveyapp.digest.operations import (
    DigestError,
    check_sender,
    deliver,
    messages,
    recipients,
    user_language,
)

digest_cli = AppGroup("digest", help="The weekly digest by email.")


@digest_cli.command("send")
@click.option("--dry-run", is_flag=True, help="Print who would get what; send nothing.")
@click.option(
    "--agency",
    "agency_code",
    help="Only users attached to this agency's subtree.",
)
def digest_send(dry_run: bool, agency_code: str | None) -> None:
    """Email each active manager and admin the last week of their subtree.

    Meant for a weekly timer. Exits with status 1 when any message failed;
    the others are sent all the same.
    """
    try:
        if not dry_run:
            check_sender()
        users = recipients(agency_code)
    except DigestError as error:
        raise click.ClickException(str(error)) from None
    failed = 0
    for user, message in messages(users, local_today()):
        if dry_run:
            language = user_language(user)
            click.echo(f"would send to {user.email} ({language}): {message.subject}")
            continue
        problem = deliver(message)
        if problem is None:
            click.echo(f"sent to {user.email}")
        else:
            failed += 1
            click.echo(f"NOT sent to {user.email}: {problem}", err=True)
    if failed:
        raise click.ClickException(f"{failed} of {len(users)} digests not sent")
    click.echo(f"{len(users)} digest(s) {'to send' if dry_run else 'sent'}")
