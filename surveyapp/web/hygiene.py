"""Request hygiene for every blueprint: bounded numbers, no NUL, safe redirects."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
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


def safe_referrer(default: str) -> str:
    """Where the user came from, if it is this site; `default` otherwise."""
    referrer = request.referrer
    if referrer and urlsplit(referrer).netloc == request.host:
        return referrer
    return default


def init_app(app: Flask) -> None:
    """Install the converter (before blueprints add routes) and the hygiene hook."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(strip_nul_characters)
