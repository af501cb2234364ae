"""The anomaly rules' reason codes, told in the reader's language."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

#: Reasons whose text needs no number, by code.
PLAIN_REASONS: dict[str, LazyString] = {
    "honeypot": _l("A hidden field that people never see was filled in (a script)."),
    "render_missing": _l(
        "Sent without the token of a shown survey page: the answers did not come "
        "from a page of this site (a script, or a very old offline page)."
    ),
    "render_forged": _l(
        "Sent with a survey page token that this site did not make for this link: "
        "forged, or copied from another survey."
    ),
    "render_replayed": _l(
        "Sent with the token of a survey page that another response already used: "
        "one page sent several times (a script), or a page kept offline and used "
        "twice."
    ),
}

#: Reasons counting other responses ("network_burst:12", or "network_burst:100+").
BURSTS = ("identical_burst", "network_burst", "kiosk_burst")


def describe_reason(code: str) -> str:
    """A stored reason code ("too_fast:4s") in the reader's language."""
    name, _sep, raw = code.partition(":")
    # A burst count that reached its cap is stored as "at least" ("100+").
    at_least = raw.endswith("+")
    digits = raw.rstrip("s+")
    number = int(digits) if digits.isdigit() else 0
    if name in PLAIN_REASONS:
        text = PLAIN_REASONS[name]
    elif name == "render_expired":
        text = _(
            "Sent more than %(hours)d hours after the survey page was shown (a page "
            "kept offline for long, or a stored token).",
            hours=int(current_app.config["RENDER_TOKEN_MAX_HOURS"]),
        )
    elif name == "too_fast":
        text = _(
            "Sent %(seconds)d seconds after the form was shown: faster than a "
            "person can read it.",
            seconds=number,
        )
    elif name in BURSTS:
        text = _describe_burst(name, number, at_least)
    else:
        text = code
    return str(text)


def _describe_burst(name: str, count: int, at_least: bool) -> str:
    """A burst rule's reason: `count` other responses, or at least that many."""
    minutes = int(current_app.config["ANOMALY_WINDOW_MINUTES"])
    if name == "identical_burst" and at_least:
        return str(
            _(
                "Exactly the same answers as at least %(count)d other responses at "
                "this counter within %(minutes)d minutes.",
                count=count,
                minutes=minutes,
            )
        )
    if name == "identical_burst":
        return str(
            _(
                "Exactly the same answers as %(count)d other responses at this counter "
                "within %(minutes)d minutes.",
                count=count,
                minutes=minutes,
            )
        )
    if name == "network_burst" and at_least:
        return str(
            _(
                "At least %(count)d other responses from the same network at this "
                "counter within %(minutes)d minutes.",
                count=count,
                minutes=minutes,
            )
        )
    if name == "network_burst":
        return str(
            _(
                "%(count)d other responses from the same network at this counter "
                "within %(minutes)d minutes.",
                count=count,
                minutes=minutes,
            )
        )
    if at_least:
        return str(
            _(
                "At least %(count)d other responses from the same kiosk within "
                "%(minutes)d minutes: more people than a counter serves.",
                count=count,
                minutes=minutes,
            )
        )
    return str(
        _(
            "%(count)d other responses from the same kiosk within %(minutes)d "
            "minutes: more people than a counter serves.",
            count=count,
            minutes=minutes,
        )
    )
