"""`flask kiosks`: register, list and revoke the tablets at the counters."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from surveyapp.extensions import db
from surveyapp.kiosk.operations import (
    KioskError,
    find_by_prefix,
    kiosk_url,
    list_kiosks,
    register_kiosk,
    revoke_kiosk,
)
from surveyapp.models import Counter, get_by_code

kiosks_cli = AppGroup("kiosks", help="Survey tablets (kiosks) at the counters.")


@kiosks_cli.command("create")
@click.argument("counter_code", metavar="COUNTER")
@click.option("--name", required=True, help='What staff call it, e.g. "Tablet 1".')
def kiosks_create(counter_code: str, name: str) -> None:
    """Register a kiosk for the counter with code COUNTER and print its URL.

    The URL carries the kiosk's secret key and is printed only this once: open it
    on the tablet. Only a hash of the key is stored.
    """
    counter = get_by_code(Counter, counter_code)
    if counter is None:
        raise click.ClickException(f"No counter has the code {counter_code!r}.")
    if not name.strip():
        raise click.ClickException("Give the kiosk a name.")
    kiosk, key = register_kiosk(counter, name)
    db.session.commit()
    click.echo(f"Kiosk {kiosk.prefix} for counter {counter.code}: {kiosk_url(key)}")
    click.echo("This URL is shown only once. Open it on the tablet now.", err=True)


@kiosks_cli.command("list")
def kiosks_list() -> None:
    """List kiosks: prefix, counter, name, state and date registered."""
    for kiosk in list_kiosks():
        state = "active" if kiosk.active else "revoked"
        click.echo(
            f"{kiosk.prefix}\t{kiosk.counter.code}\t{kiosk.name}\t{state}"
            f"\t{kiosk.created_at:%Y-%m-%d}"
        )


@kiosks_cli.command("revoke")
@click.argument("prefix")
def kiosks_revoke(prefix: str) -> None:
    """Revoke the kiosk whose key starts with PREFIX: its URL stops working."""
    try:
        kiosk = find_by_prefix(prefix)
    except KioskError as error:
        raise click.ClickException(str(error)) from None
    revoke_kiosk(kiosk)
    db.session.commit()
    click.echo(f"Kiosk {kiosk.prefix} ({kiosk.name}) revoked.")
