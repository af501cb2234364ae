"""`flask` knows every feature's command group (surveyapp/cli.py)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskCliRunner

from surveyapp.cli import command_groups


@pytest.mark.parametrize("group", [group.name for group in command_groups])
def test_commands_have_help(runner: FlaskCliRunner, group: str) -> None:
    result = runner.invoke(args=[group, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output and "Commands" in result.output
