"""Helpers shared by tests: fill in the survey form like a browser would."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

from flask import Flask
from flask.testing import FlaskClient

from surveyapp.core.links import counter_token
from surveyapp.models import Counter, get_by_code
from surveyapp.survey.submission import render

HIDDEN_INPUT = re.compile(
    r'<input[^>]*name="(csrf_token|idempotency_key|render_token)"[^>]*value="([^"]*)"'
)


def survey_path(app: Flask, counter_code: str) -> str:
    """The path of a counter's survey page."""
    with app.app_context():
        counter = get_by_code(Counter, counter_code)
        assert counter is not None
        return f"/s/{counter_token(counter)}"


def hidden_fields(html: str) -> dict[str, str]:
    """The CSRF token, idempotency key and render token of a rendered survey form."""
    found = dict(HIDDEN_INPUT.findall(html))
    assert set(found) == {"csrf_token", "idempotency_key", "render_token"}, found
    return found


def all_answers(value: str = "4", codes: list[str] | None = None) -> dict[str, str]:
    """Form data answering every sipas-2023 item with `value`."""
    codes = codes or [
        f"{f}{i}"
        for f, n in zip("ABCDE", (3, 4, 3, 3, 3), strict=True)
        for i in range(1, n + 1)
    ]
    return {f"c_{code}": value for code in codes}


def fill_form(
    client: FlaskClient, path: str, seconds_ago: int = 60, **overrides: str
) -> dict[str, str]:
    """GET the survey and return valid form data for it, with `overrides` applied.

    The page counts as shown `seconds_ago` (its render token says so): a person
    had time to read it, unless a test asks for 0.
    """
    shown = time.time() - seconds_ago
    with mock.patch.object(render, "time", SimpleNamespace(time=lambda: shown)):
        page = client.get(path)
    assert page.status_code == 200
    data = hidden_fields(page.get_data(as_text=True))
    data.update(all_answers())
    data["service_field"] = "ho-tich"
    data["comment"] = ""
    data.update(overrides)
    return data


def scoring_command_rows(exported: Path) -> list[dict[str, str]]:
    """`python -m surveyapp.scoring` on an exported CSV, as the user would run it."""
    scored = subprocess.run(
        [sys.executable, "-m", "surveyapp.scoring", str(exported)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert scored.returncode == 0, scored.stderr
    return list(csv.DictReader(io.StringIO(scored.stdout)))
