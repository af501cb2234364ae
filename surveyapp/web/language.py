"""Language choice: Vietnamese by default, the others in LANGUAGES one tap away.

The choice travels in the `lang` query argument (so it works without JavaScript
and without cookies) and is remembered in a cookie for the next page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from urllib.parse import urlencode

from babel import Locale, UnknownLocaleError
from flask import Response, current_app, has_request_context, request
from flask_babel import format_decimal, get_locale

from surveyapp.core.time import local_time
from surveyapp.extensions import babel

LANGUAGE_COOKIE = "lang"


def chosen_language() -> str:
    """The visitor's language among LANGUAGES: query argument, cookie, default."""
    supported: Sequence[str] = current_app.config["LANGUAGES"]
    if has_request_context():  # the CLI has none: the default language
        for candidate in (
            request.args.get("lang"),
            request.cookies.get(LANGUAGE_COOKIE),
        ):
            if candidate is not None and candidate in supported:
                return candidate
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def interface_locale(language: str) -> str:
    """The catalogue the interface of a `language` page is read from.

    Its own when there is one; else the default, Vietnamese: a language may be
    switched on for its questionnaire wording before its interface catalogue is
    translated, and every citizen it serves reads Vietnamese too.
    """
    catalogues: set[str] | None = current_app.extensions.get("interface_catalogues")
    if catalogues is None:  # read from the disk once per app
        catalogues = {str(locale) for locale in babel.list_translations()}
        current_app.extensions["interface_catalogues"] = catalogues
    if language in catalogues:
        return language
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def select_locale() -> str:
    """Flask-Babel's locale: the chosen language's catalogue (`interface_locale`)."""
    return interface_locale(chosen_language())


def current_language() -> str:
    """The language code of the page being rendered (its wording and `lang`).

    The chosen language, even when its interface falls back to Vietnamese; the
    locale itself where one is forced (an email in its reader's language).
    """
    locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    chosen = chosen_language()
    return chosen if interface_locale(chosen) == locale else locale


def language_names() -> tuple[tuple[str, str], ...]:
    """(code, name) of every language in LANGUAGES, each name in its own language.

    LANGUAGE_NAMES overrides a name (or gives one to a code Babel does not know).
    """
    cached: tuple[tuple[str, str], ...] | None = current_app.extensions.get(
        "language_names"
    )
    if cached is None:  # every page shows them; Babel's lookups run once per app
        names: Mapping[str, str] = current_app.config.get("LANGUAGE_NAMES") or {}
        cached = tuple(
            (code, names.get(code) or _own_name(code))
            for code in current_app.config["LANGUAGES"]
        )
        current_app.extensions["language_names"] = cached
    return cached


def _own_name(code: str) -> str:
    try:
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError):  # a code Babel does not know
        return code
    name = locale.get_display_name(locale) or code
    return name[:1].upper() + name[1:]


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
