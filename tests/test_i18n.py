"""Catalogues: Vietnamese complete, and every string in the code is in them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "surveyapp" / "translations"


def load(language: str):  # type: ignore[no-untyped-def]
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def message_ids(catalog) -> set[str]:  # type: ignore[no-untyped-def]
    return {str(m.id) for m in catalog if m.id}


def test_vietnamese_catalogue_is_complete() -> None:
    catalog = load("vi")
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []


def test_catalogues_cover_every_string_in_the_code(tmp_path: Path) -> None:
    extracted = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(extracted),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with extracted.open("rb") as handle:
        in_code = message_ids(read_po(handle))
    # Every catalogue: a language's interface, once it has one, is kept complete.
    catalogues = sorted(path.name for path in TRANSLATIONS.iterdir() if path.is_dir())
    assert {"vi", "en"} <= set(catalogues)
    for language in catalogues:
        missing = in_code - message_ids(load(language))
        assert missing == set(), (
            f"{language}: run `make translations` and translate {missing}"
        )
