"""The anomaly rules' reason codes, told in the reader's language."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _


def describe_reason(code: str) -> str:
    """A stored reason code ("too_fast:4s") in the reader's language."""
    name, _sep, raw = code.partition(":")
    digits = raw.rstrip("s")
    number = int(digits) if digits.isdigit() else 0
    minutes = int(current_app.config["ANOMALY_WINDOW_MINUTES"])
    if name == "honeypot":
        text = _("A hidden field that people never see was filled in (a script).")
    elif name == "too_fast":
        text = _(
            "Sent %(seconds)d seconds after the form was shown: faster than a "
            "person can read it.",
            seconds=number,
        )
    elif name == "identical_burst":
        text = _(
            "Exactly the same answers as %(count)d other responses at this counter "
            "within %(minutes)d minutes.",
            count=number,
            minutes=minutes,
        )
    elif name == "network_burst":
        text = _(
            "%(count)d other responses from the same network at this counter "
            "within %(minutes)d minutes.",
            count=number,
            minutes=minutes,
        )
    else:
        text = code
    return str(text)
