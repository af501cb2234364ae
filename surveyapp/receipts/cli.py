"""`flask receipts` and `flask apikeys`: receipt QR codes and the keys issuing them."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from surveyapp.core.apikeys import (
    ApiKeyError,
    create_key,
    keys_with_prefix,
    list_keys,
    revoke,
)
from surveyapp.core.audit import record
from surveyapp.core.links import qr_png, qr_svg
from surveyapp.core.receipts import ReceiptError, issue_receipt
from surveyapp.extensions import db
from surveyapp.models import Agency, Counter, ServiceField, get_by_code

receipts_cli = AppGroup("receipts", help="Receipt QR codes: one rating per dossier.")
apikeys_cli = AppGroup("apikeys", help="API keys of one-stop software.")


@receipts_cli.command("issue")
@click.argument("counter_code", metavar="COUNTER")
@click.option(
    "--dossier", "dossier_code", required=True, help="The dossier code (mã hồ sơ)."
)
@click.option(
    "--days",
    type=int,
    help="Days the link stays valid (default: RECEIPT_DAYS, 30).",
)
@click.option(
    "--field",
    "field_code",
    help="The dossier's service field code (e.g. ho-tich): the citizen is not asked.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the QR code to FILE.png or FILE.svg.",
)
def receipts_issue(
    counter_code: str,
    dossier_code: str,
    days: int | None,
    field_code: str | None,
    output: Path | None,
) -> None:
    """Issue the receipt of a dossier served at COUNTER and print its survey URL.

    Idempotent: issuing again for the same dossier prints the same URL.
    """
    render = None
    if output is not None:
        render = {".png": qr_png, ".svg": qr_svg}.get(output.suffix.lower())
        if render is None:
            raise click.BadParameter(
                "the file name must end in .png or .svg", param_hint="-o"
            )
    counter = get_by_code(Counter, counter_code)
    if counter is None:
        raise click.ClickException(
            f"no counter with code {counter_code!r}; see `flask counters list`"
        )
    service_field = get_by_code(ServiceField, field_code) if field_code else None
    if field_code and service_field is None:
        raise click.BadParameter(
            f"no service field {field_code!r}", param_hint="--field"
        )
    try:
        issued = issue_receipt(
            counter, dossier_code, days=days, service_field=service_field
        )
    except ReceiptError as error:
        with force_locale("en"):
            raise click.ClickException(str(error)) from None
    click.echo(issued.url)
    if output is not None and render is not None:
        output.write_bytes(render(issued.url))
        click.echo(f"QR code: {output}", err=True)
    state = "issued" if issued.created else "already issued"
    expires = issued.receipt.expires_at.date().isoformat()
    click.echo(f"{state}; valid until {expires}", err=True)


@apikeys_cli.command("create")
@click.option(
    "--agency",
    "agency_code",
    required=True,
    help="The agency whose subtree's counters the key may issue receipts for.",
)
@click.option("--name", required=True, help="Which software, which office.")
def apikeys_create(agency_code: str, name: str) -> None:
    """Create an API key and print it, once: it is stored only as a hash."""
    agency = get_by_code(Agency, agency_code)
    if agency is None:
        raise click.ClickException(f"no agency with code {agency_code!r}")
    try:
        api_key, secret = create_key(agency, name)
    except ApiKeyError as error:
        raise click.ClickException(str(error)) from None
    record(
        "api_key_create",
        target=api_key.prefix,
        details={"agency": agency.code, "name": api_key.name, "via": "cli"},
    )
    db.session.commit()
    click.echo(secret)
    click.echo(
        "Keep this key now: it cannot be shown again. "
        "Send it as `Authorization: Bearer <key>`.",
        err=True,
    )


@apikeys_cli.command("list")
def apikeys_list() -> None:
    """List keys: prefix, agency, name, created, last used, state."""
    for key in list_keys():
        last = key.last_used_at.date().isoformat() if key.last_used_at else "never"
        state = "active" if key.active else "revoked"
        click.echo(
            f"{key.prefix}\t{key.agency.code}\t{key.name}\t"
            f"{key.created_at.date().isoformat()}\t{last}\t{state}"
        )


@apikeys_cli.command("revoke")
@click.argument("prefix")
def apikeys_revoke(prefix: str) -> None:
    """Revoke the key whose first characters are PREFIX (see `flask apikeys list`)."""
    try:
        found = keys_with_prefix(prefix)
    except ApiKeyError as error:
        raise click.ClickException(str(error)) from None
    if not found:
        raise click.ClickException(f"no key starts with {prefix!r}")
    if len(found) > 1:
        raise click.ClickException(
            f"{len(found)} keys start with {prefix!r}: give more characters"
        )
    api_key = found[0]
    if not revoke(api_key):
        click.echo(f"{api_key.prefix} was already revoked")
        return
    record(
        "api_key_revoke",
        target=api_key.prefix,
        details={"name": api_key.name, "via": "cli"},
    )
    db.session.commit()
    click.echo(f"revoked {api_key.prefix} ({api_key.name})")
