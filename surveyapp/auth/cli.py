"""`flask users`: managers' accounts."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from surveyapp.auth.accounts import (
    AccountError,
    create_user,
    find_user,
    set_digest,
    unlock_user,
)
from surveyapp.extensions import db
from surveyapp.models import Role

users_cli = AppGroup("users", help="Managers' accounts.")


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
    try:
        user = create_user(email, role, agency_code, password)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"created {user.role} {user.email} for {agency_code}")


@users_cli.command("unlock")
@click.argument("email")
def users_unlock(email: str) -> None:
    """Let a user locked out after wrong passwords sign in again."""
    try:
        user = unlock_user(email)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"unlocked {user.email}")


@users_cli.command("digest")
@click.argument("email")
@click.argument("state", type=click.Choice(["on", "off"]))
@click.option(
    "--language",
    type=click.Choice(["vi", "en"]),
    help="The language of the user's emails.",
)
def users_digest(email: str, state: str, language: str | None) -> None:
    """Turn a user's weekly digest on or off."""
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no user with email {email.strip().lower()}")
    set_digest(user, state == "on", language)
    db.session.commit()
    click.echo(f"weekly digest {state} for {user.email} ({user.language})")
