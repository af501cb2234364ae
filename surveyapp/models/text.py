"""Vietnamese text folded for matching: what a person types without accents."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case, without diacritics (đ -> d), single spaces: "Hồ  sơ" -> "ho so"."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.split())
