"""The sentences both parts of the digest say, as plain text.

Built here rather than in template macros so that the HTML part escapes them
like any other text: a macro of the text template comes out unescaped there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import gettext as _

from surveyapp.web.language import percent, points

if TYPE_CHECKING:
    from surveyapp.digest.operations import Drop, Headline, SilentCounter


def index_value(line: Headline) -> str:
    """The index with its number of responses, or why there is none."""
    if line.row is None:
        return str(_("no responses"))
    if line.row["estimate"] is None:
        return str(_("too few responses to show (%(count)d)", count=line.row["n"]))
    responses = _("%(count)d responses", count=line.row["n"])
    return f"{percent(line.row['estimate'])} ({responses})"


def change_sentence(line: Headline) -> str:
    """The change since the earlier period, its interval, and what it means."""
    if line.against is None:
        return ""
    if line.change is None:
        return str(
            _(
                "No comparison with %(period)s: too few responses on one side.",
                period=line.against.label,
            )
        )
    change = line.change
    said = _(
        "Change since %(period)s: %(change)s percentage points "
        "(%(level)s interval: %(low)s to %(high)s).",
        period=line.against.label,
        change=points(change.estimate),
        level="95\u00a0%",
        low=points(change.ci_low),
        high=points(change.ci_high),
    )
    if not change.significant:
        meaning = _("Within chance: not a clear change.")
    elif change.estimate > 0:
        meaning = _("Beyond chance: a real rise.")
    else:
        meaning = _("Beyond chance: a real drop.")
    return f"{said} {meaning}"


def drop_line(drop: Drop) -> str:
    return str(
        _(
            "%(unit)s: %(index)s (%(change)s percentage points)",
            unit=drop.name,
            index=percent(drop.row["estimate"]),
            change=points(drop.change.estimate),
        )
    )


def silent_line(counter: SilentCounter) -> str:
    if counter.last_response is None:
        since = _("never any response")
    else:
        since = _(
            "last response %(when)s",
            when=f"{counter.last_response:%d/%m/%Y %H:%M}",
        )
    return f"{counter.name}, {counter.service_point}: {since}"


PHRASES = {
    "index_value": index_value,
    "change_sentence": change_sentence,
    "drop_line": drop_line,
    "silent_line": silent_line,
}
