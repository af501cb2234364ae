"""Language choice: Vietnamese by default, another language one tap away.

The choice travels in the `lang` query argument (so it works without JavaScript
and without cookies) and is remembered in a cookie for the next page.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from flask import Response, current_app, has_request_context, request
from flask_babel import format_decimal, get_locale

from surveyapp.core.time import local_time

LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    """Pick the language: query argument, then cookie, then the default."""
    supported: tuple[str, ...] = current_app.config["LANGUAGES"]
    if not has_request_context():  # the CLI: the default language
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    for candidate in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in supported:
            return candidate
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def current_language() -> str:
    """The language code of the page being rendered."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def url_for_language(language: str) -> str:
    """The current page's URL in another language."""
    args = request.args.to_dict()
    args["lang"] = language
    return f"{request.path}?{urlencode(args)}"


def remember_language(response: Response) -> Response:
    """Keep an explicit language choice for the next page."""
    chosen = request.args.get("lang")
    if (
        chosen is not None
        and chosen in current_app.config["LANGUAGES"]
        and chosen != request.cookies.get(LANGUAGE_COOKIE)
    ):
        response.set_cookie(
            LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax"
        )
    return response


def rounded(value: float, digits: int = 1) -> str:
    """A number rounded to `digits` decimals in the page's language ("85,3" in vi)."""
    pattern = "0." + "0" * digits if digits else "0"
    return str(format_decimal(value, format=pattern))


def percent(share: float | None, digits: int = 1) -> str:
    """A share in [0, 1] as a percentage in the page's language ("85,3 %" in vi)."""
    if share is None:
        return "—"
    # A no-break space keeps "85,3 %" on one line in narrow table cells.
    return f"{rounded(100 * share, digits)}\u00a0%"


def points(difference: float | None, digits: int = 1) -> str:
    """A difference of two shares in percentage points, signed ("+2,2" in vi)."""
    if difference is None:
        return "—"
    size = rounded(abs(100 * difference), digits)
    if round(abs(100 * difference), digits) == 0:
        return f"±{size}"
    # The minus sign, not a hyphen: screen readers say "minus".
    sign = "+" if difference > 0 else "\u2212"
    return f"{sign}{size}"


def local_datetime(moment: datetime | None) -> str:
    """A stored instant as the app's one time format: dd/mm/yyyy HH:MM, local."""
    if moment is None:
        return "—"
    return f"{local_time(moment):%d/%m/%Y %H:%M}"
