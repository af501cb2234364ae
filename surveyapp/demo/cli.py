"""`flask demo`: demonstration data for a fictional province."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from surveyapp.demo.load import load_demo

demo_cli = AppGroup("demo", help="Demonstration data for a fictional province.")


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

    Idempotent: a second run finds the province and adds nothing. Refused in
    production: it creates logins whose password is in the README.
    """
    if not current_app.config.get("ALLOW_DEMO_DATA"):
        raise click.ClickException(
            "demo data is not loaded in production: it creates logins whose "
            "password is published in the README"
        )
    summary = load_demo(response_count=response_count, seed=seed)
    click.echo(summary)
