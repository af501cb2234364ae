"""Fixtures for the scoring tests (no Flask app needed)."""

from __future__ import annotations

import pytest

from tests.scoring.support import CliCache


@pytest.fixture(scope="session")
def cli_output() -> CliCache:
    """CLI results per (case, method), each computed once per session."""
    return CliCache()
