"""Request hygiene for every blueprint: bounded numbers, no NUL, safe redirects,
no text that cannot be stored."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

# Ids and page numbers beyond a 32-bit integer exist in no table here; PostgreSQL
# would fail to compare them.
MAX_ID = 2**31 - 1
MAX_PAGE = 100_000


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in URLs, capped so huge numbers are a 404, not a database error."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def page_number(args: MultiDict[str, str]) -> int:
    """The `page` query argument, 1 to MAX_PAGE."""
    page = args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


def _without_nul(data: MultiDict[str, str]) -> ImmutableMultiDict[str, str]:
    return ImmutableMultiDict(
        [(key, value.replace("\x00", "")) for key, value in data.items(multi=True)]
    )


def strip_nul_characters() -> None:
    """Drop NUL characters from query and form values; a NUL in the path is a 404.

    PostgreSQL text cannot hold NUL: a comment with one would fail to store and
    the citizen's answers would be lost, so the character goes, the answers stay.
    """
    if "\x00" in request.path:
        abort(404)
    if any("\x00" in value for value in request.args.values()):
        request.__dict__["args"] = _without_nul(request.args)
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        if any("\x00" in value for _, value in request.form.items(multi=True)):
            request.__dict__["form"] = _without_nul(request.form)


def without_nul(value: Any) -> Any:
    """A JSON value with NUL characters removed from every string in it."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    return value


# Half of a UTF-16 pair, alone: JSON's "\\ud800" decodes to it, and no UTF-8
# encoder (SQLite's, PostgreSQL's, an HMAC's) accepts it.
_SURROGATE = re.compile("[\ud800-\udfff]")


class NotUnicode(BadRequest):
    """The request holds text that is not Unicode: a lone UTF-16 surrogate."""

    description = _l(
        "The request contains a character that is not valid Unicode (a lone "
        "UTF-16 surrogate). Remove it and send the request again."
    )


def has_lone_surrogate(value: Any) -> bool:
    """Whether a JSON value holds a lone surrogate in any key or string.

    Walked with a list, not recursion: a body nested near Python's recursion
    limit parses, and must not crash the walk.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
    return False


def _json_body() -> Any:
    try:
        return request.get_json(silent=True)
    except RecursionError:  # nested too deep to parse: the view answers 400
        return None


def refuse_lone_surrogates() -> None:
    """Answer 400 (NotUnicode) for a lone surrogate anywhere in the request.

    It would fail to store, sign or compare, as a 500 deep in a view: refused
    here once, every field of every view is covered. Werkzeug decodes the URL
    and forms leniently (no surrogate comes out), JSON does not; all are checked.
    """
    texts = [request.path, *request.args.values()]
    if request.method in ("POST", "PUT", "PATCH"):
        if request.is_json:
            texts.append(_json_body())
        elif request.mimetype in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            texts.extend(value for _, value in request.form.items(multi=True))
    if has_lone_surrogate(texts):
        raise NotUnicode()


def safe_referrer(default: str) -> str:
    """Where the user came from, if it is this site; `default` otherwise."""
    referrer = request.referrer
    if referrer and urlsplit(referrer).netloc == request.host:
        return referrer
    return default


def safe_path(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default`: a crafted link
    cannot send the user elsewhere.

    Browsers read `/\\host` and `/<TAB>/host` as another host, and a CR or LF
    cannot go into a Location header at all: such a target falls back too.
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and target.isprintable()
        and "\\" not in target
        and not urlsplit(target).netloc
    ):
        return target
    return default


def init_app(app: Flask) -> None:
    """Install the converter (before blueprints add routes) and the hygiene hooks."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(strip_nul_characters)
    app.before_request(refuse_lone_surrogates)
