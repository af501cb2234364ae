"""The dossier code as a receipt's pages show it: enough to recognise, not to copy.

Anyone holding a receipt link sees its pages, and a screenshot travels: the
page names the dossier so that the citizen knows which one is rated, but hides
most of its code. At least half of the characters are hidden whatever the
length; the ends stay, because that is where one-stop codes differ (a running
number at the end) and what a citizen compares with the printed receipt.
"""

from __future__ import annotations

MASK = "•"
# (shortest code, characters kept at the start, characters kept at the end),
# longest codes first.
_KEPT_ENDS = ((10, 2, 3), (6, 1, 2), (3, 0, 1))


def mask_dossier_code(code: str) -> str:
    """`code` with its middle replaced by bullets, one per hidden character.

    "000.00.20.H56-250812-0001" -> "00••••••••••••••••••••001"; "AB-123" ->
    "A•••23"; a code of one or two characters is hidden entirely.
    """
    for shortest, head, tail in _KEPT_ENDS:
        if len(code) >= shortest:
            hidden = len(code) - head - tail
            return code[:head] + MASK * hidden + code[len(code) - tail :]
    return MASK * len(code)
