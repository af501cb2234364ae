"""The factory: configurations, production safety, proxies."""

from __future__ import annotations

import pytest
from flask import request

from surveyapp.app import create_app


def test_production_refuses_to_start_without_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY, DATABASE_URL"):
        create_app("production")


def test_production_chosen_by_environment_also_refuses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SURVEYAPP_CONFIG", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_unknown_configuration_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="Unknown SURVEYAPP_CONFIG 'staging'"):
        create_app("staging")


@pytest.mark.parametrize(("count", "expected"), [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_proxy_count_trusts_forwarded_for(count: int, expected: str) -> None:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", PROXY_COUNT=count)

    @app.get("/whoami")
    def whoami() -> str:
        return request.remote_addr or ""

    client = app.test_client()
    seen = client.get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen.get_data(as_text=True) == expected
