"""The factory: configurations, production safety, proxies."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import request

from surveyapp.app import create_app
from surveyapp.core.links import external_url


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


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """The environment production needs, but PUBLIC_BASE_URL; the database URL."""
    url = f"sqlite:///{tmp_path / 'prod.sqlite3'}"
    monkeypatch.setenv("SECRET_KEY", "a-production-secret")
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.mark.parametrize("base", ["", "khaosat.tinh.gov.vn", "ftp://x.example"])
def test_production_refuses_to_start_without_a_public_base_url(
    production_env: str, base: str
) -> None:
    with pytest.raises(RuntimeError, match="Production needs PUBLIC_BASE_URL"):
        create_app(
            "production", SQLALCHEMY_DATABASE_URI=production_env, PUBLIC_BASE_URL=base
        )


def test_production_links_never_follow_the_host_header(production_env: str) -> None:
    app = create_app(
        "production",
        SQLALCHEMY_DATABASE_URI=production_env,
        PUBLIC_BASE_URL="https://khaosat.tinh.gov.vn",
    )

    @app.get("/link")
    def link() -> str:
        return external_url("main.index")

    answer = app.test_client().get("/link", headers={"Host": "evil.example"})
    assert answer.get_data(as_text=True) == "https://khaosat.tinh.gov.vn/"


@pytest.mark.parametrize("name", ["development", "testing"])
def test_other_configurations_start_without_a_public_base_url(name: str) -> None:
    app = create_app(name, SQLALCHEMY_DATABASE_URI="sqlite://", PUBLIC_BASE_URL="")
    with app.test_request_context("/", base_url="http://localhost:5000"):
        assert external_url("main.index") == "http://localhost:5000/"


def test_demo_data_is_refused_in_production(production_env: str) -> None:
    app = create_app(
        "production",
        SQLALCHEMY_DATABASE_URI=production_env,
        PUBLIC_BASE_URL="https://khaosat.tinh.gov.vn",
    )
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0
    assert "demo data is not loaded in production" in result.output


def test_unknown_configuration_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="Unknown SURVEYAPP_CONFIG 'staging'"):
        create_app("staging")


@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        (("en", "th"), "must be a list including 'vi'"),
        ("vi,en", "must be a list including 'vi'"),
        (("vi", "Thai"), "not short language tags.*Thai"),
        (("vi", "blt-Tavt-VN"), "not short language tags"),
    ],
)
def test_languages_are_checked_at_start(languages: object, expected: str) -> None:
    with pytest.raises(RuntimeError, match=expected):
        create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", LANGUAGES=languages)


def test_a_configured_language_is_accepted() -> None:
    app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI="sqlite://", LANGUAGES=["vi", "blt"]
    )
    assert app.config["LANGUAGES"] == ["vi", "blt"]


BUNDLED = Path(__file__).resolve().parent.parent / "surveyapp" / "static" / "fonts"


@pytest.mark.parametrize(
    ("fonts", "expected"),
    [
        ({"xx": ["missing.ttf", "DejaVuSans-Bold.ttf"]}, "missing.ttf.*does not exist"),
        ("xx:DejaVuSans.ttf,/nowhere/Bold.ttf", "/nowhere/Bold.ttf.*'xx' does not"),
        ({"xx": ["DejaVuSans.ttf"]}, "must be two font files"),
        ({"xx": ["LICENSE-DejaVu.txt", "DejaVuSans.ttf"]}, "not a TrueType"),
        ({"th": ["DejaVuSans.ttf", "DejaVuSans.ttf"]}, "not in LANGUAGES: \\['th'\\]"),
    ],
)
def test_pdf_fonts_are_checked_at_start(fonts: object, expected: str) -> None:
    with pytest.raises(RuntimeError, match=expected):
        create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI="sqlite://",
            LANGUAGES=["vi", "en", "xx"],
            PDF_FONTS=fonts,
        )


def test_pdf_fonts_default_to_dejavu_for_every_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    regular, bold = BUNDLED / "DejaVuSans.ttf", BUNDLED / "DejaVuSans-Bold.ttf"
    monkeypatch.setenv("SURVEYAPP_PDF_FONTS", f"xx:{bold},DejaVuSans.ttf")
    app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI="sqlite://", LANGUAGES=["vi", "en", "xx"]
    )
    assert app.config["PDF_FONTS"] == {
        "vi": (str(regular), str(bold)),
        "en": (str(regular), str(bold)),
        "xx": (str(bold), str(regular)),
    }
    monkeypatch.setenv("SURVEYAPP_PDF_FONTS", f'{{"xx": ["{bold}", "{bold}"]}}')
    app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI="sqlite://", LANGUAGES=["vi", "en", "xx"]
    )
    assert app.config["PDF_FONTS"]["xx"] == (str(bold), str(bold))


@pytest.mark.parametrize(("count", "expected"), [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_proxy_count_trusts_forwarded_for(count: int, expected: str) -> None:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", PROXY_COUNT=count)

    @app.get("/whoami")
    def whoami() -> str:
        return request.remote_addr or ""

    client = app.test_client()
    seen = client.get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen.get_data(as_text=True) == expected
