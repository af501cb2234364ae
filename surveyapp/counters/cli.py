"""`flask counters`: list counters, their service fields, survey URLs and QR codes."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from surveyapp.core.links import qr_png, qr_svg, survey_url
from surveyapp.counters.fields import UnknownFields, fields_by_code, set_counter_fields
from surveyapp.extensions import db
from surveyapp.models import Counter, ServiceField, get_by_code

counters_cli = AppGroup("counters", help="Counters and their QR codes.")


def _counter_or_exit(code: str) -> Counter:
    """The counter with `code`, or a command-line error naming it."""
    counter = get_by_code(Counter, code)
    if counter is None:
        raise click.ClickException(
            f"no counter with code {code!r}; see `flask counters list`"
        )
    return counter


@counters_cli.command("list")
def counters_list() -> None:
    """List counters: code, service point, name, active."""
    counters = db.session.scalars(select(Counter).order_by(Counter.code))
    for counter in counters:
        state = "" if counter.active else "\t(inactive)"
        click.echo(
            f"{counter.code}\t{counter.service_point.name}\t{counter.name}{state}"
        )


@counters_cli.command("url")
@click.argument("code")
def counters_url(code: str) -> None:
    """Print the signed survey URL of counter CODE (host: PUBLIC_BASE_URL)."""
    click.echo(survey_url(_counter_or_exit(code)))


@counters_cli.command("qr")
@click.argument("code")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="FILE.png or FILE.svg",
)
def counters_qr(code: str, output: Path) -> None:
    """Write the QR code of counter CODE's survey URL to a PNG or SVG file."""
    render = {".png": qr_png, ".svg": qr_svg}.get(output.suffix.lower())
    if render is None:
        raise click.BadParameter(
            "the file name must end in .png or .svg", param_hint="-o"
        )
    url = survey_url(_counter_or_exit(code))
    output.write_bytes(render(url))
    click.echo(f"{output}: {url}")


@counters_cli.command("fields")
@click.argument("code")
@click.argument("fields", nargs=-1)
@click.option("--clear", is_flag=True, help="Tie the counter to no field.")
def counters_fields(code: str, fields: tuple[str, ...], clear: bool) -> None:
    """Show, or set, the service fields counter CODE handles (audited).

    FIELD... are service field codes (e.g. ho-tich): one field is never asked of
    the citizen, several are listed first. Without FIELD, print the fields.
    """
    counter = _counter_or_exit(code)
    if fields and clear:
        raise click.UsageError("give FIELD... or --clear, not both")
    if fields or clear:
        try:
            chosen = fields_by_code(fields)
        except UnknownFields as error:
            known = " ".join(db.session.scalars(select(ServiceField.code)))
            raise click.ClickException(
                f"unknown service field(s): {error}; known: {known or 'none'}"
            ) from None
        if set_counter_fields(counter, chosen):
            db.session.commit()
    codes = [field.code for field in counter.service_fields]
    click.echo(f"{counter.code}\t{' '.join(codes) or '(every field)'}")
