"""Settings, read from the environment.

`create_app` picks a class by `SURVEYAPP_CONFIG` (development, testing, production);
every value below can be overridden by an environment variable of the same name.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

INSTANCE_DIR = Path(__file__).resolve().parent / "instance"
# The fonts shipped with the app; a PDF_FONTS file name without a directory is
# looked up here.
BUNDLED_FONT_DIR = Path(__file__).resolve().parent / "surveyapp" / "static" / "fonts"
#: DejaVu Sans covers Vietnamese and Latin: every language's PDF font by default.
DEFAULT_PDF_FONT = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


def _dev_secret_key() -> str:
    """Return a per-checkout secret kept in instance/, creating it once.

    A fixed fallback key would let anyone forge counter links on every dev install.
    """
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _env_flag(name: str) -> bool:
    """An on/off environment variable: on for 1, true or yes (any case), else off."""
    return os.environ.get(name, "0").lower() in ("1", "true", "yes")


class Config:
    """Defaults shared by every environment."""

    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'surveyapp.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {"pool_pre_ping": True}
    # Public link base for QR codes and printed posters, e.g. https://khaosat.example.gov.vn
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = os.environ.get(
        "BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh"
    )
    # The languages citizens may choose, Vietnamese (the source of every wording)
    # first. Each is offered by the language switch, accepted by the API and the
    # offline client, and gets questionnaire wording through `flask questionnaires
    # translations import`; its interface is its Flask-Babel catalogue, Vietnamese
    # while it has none. E.g. SURVEYAPP_LANGUAGES='["vi", "en", "blt"]'.
    LANGUAGES: tuple[str, ...] | list[str] = ("vi", "en")
    # A language's name in the switch, when Babel's own name is not the one the
    # province uses, e.g. SURVEYAPP_LANGUAGE_NAMES='{"blt": "Tai Dam"}'.
    LANGUAGE_NAMES: dict[str, str] = {}
    # The yearly PDF's regular and bold TrueType fonts of a language whose script
    # DejaVu Sans lacks, e.g. SURVEYAPP_PDF_FONTS='{"blt": ["/usr/share/fonts/
    # TaiViet.ttf", "/usr/share/fonts/TaiViet-Bold.ttf"]}' or
    # 'blt:TaiViet.ttf,TaiViet-Bold.ttf;th:...' (a bare file name is in
    # surveyapp/static/fonts/). Unlisted languages use DEFAULT_PDF_FONT.
    PDF_FONTS: dict[str, list[str]] | str = {}
    # A citizen may keep the survey open for a long while; the CSRF token lives as
    # long as the session instead of expiring after an hour and losing the answers.
    WTF_CSRF_TIME_LIMIT: int | None = None
    SHOW_DEMO_LINKS = False
    # `flask demo load` creates logins with the README's password: never in production.
    ALLOW_DEMO_DATA = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    # Strict-Transport-Security max-age; 0 sends none (a dev server has no TLS).
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "0"))
    # Behind a reverse proxy (nginx), how many proxies set X-Forwarded-For: without
    # it every citizen would share the proxy's address in the limits and flags.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    # Flask-Limiter: memory by default; set REDIS_URL for several workers.
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
    # Off: a 429 gets Retry-After and X-RateLimit-* from surveyapp/web/ratelimit.py;
    # on every response they cost two more Redis round trips per submission.
    RATELIMIT_HEADERS_ENABLED = False
    # Redis down must not turn submissions away: each worker counts in memory until
    # it is back, and a dead Redis answers within a second instead of hanging.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_OPTIONS: dict[str, object] = {
        "socket_connect_timeout": 1,
        "socket_timeout": 1,
    }
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    # Wrong passwords for one account from any address: the wait grows from
    # minutes to an hour, and LOGIN_LOCKOUT_FAILURES in a row lock the account
    # until `flask users unlock`.
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get(
        "LOGIN_ACCOUNT_RATE_LIMIT", "5 per 5 minutes;10 per hour"
    )
    LOGIN_LOCKOUT_FAILURES = int(os.environ.get("LOGIN_LOCKOUT_FAILURES", "20"))
    PASSWORD_CHANGE_RATE_LIMIT = os.environ.get(
        "PASSWORD_CHANGE_RATE_LIMIT", "5 per minute;20 per hour"
    )
    SURVEY_RATE_LIMIT_IP = os.environ.get(
        "SURVEY_RATE_LIMIT_IP", "20 per minute;200 per day"
    )
    SURVEY_RATE_LIMIT_COUNTER = os.environ.get(
        "SURVEY_RATE_LIMIT_COUNTER", "120 per minute"
    )
    # Each kiosk's own budget: more than a counter serves, little for a script.
    KIOSK_RATE_LIMIT = os.environ.get("KIOSK_RATE_LIMIT", "6 per minute;60 per hour")
    RECEIPT_DAYS = int(os.environ.get("RECEIPT_DAYS", "30"))
    # POST /_benchmark/bare for benchmarks/load/ (BenchmarkConfig only).
    BENCHMARK_BARE_ENDPOINT = False
    # Logs go to stdout: "text" for a person at a terminal, "json" for a collector.
    # ACCESS_LOG adds one line per request (the path with its secrets hidden).
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    ACCESS_LOG = os.environ.get("ACCESS_LOG", "") == "1"
    # `flask maintenance run` erases a receipt never used this many days after it
    # expired; until then its link says "expired" rather than "not found".
    RECEIPT_KEEP_DAYS = int(os.environ.get("RECEIPT_KEEP_DAYS", "90"))
    KIOSK_IDLE_SECONDS = int(os.environ.get("KIOSK_IDLE_SECONDS", "30"))
    # A phone number for complaints and questions, as people dial it (e.g.
    # "1900 1234"), printed on the counters' posters and offered on the survey's
    # thank-you page; empty: both leave it out.
    FEEDBACK_HOTLINE = os.environ.get("FEEDBACK_HOTLINE", "")
    # An active counter without a response for this many days is marked silent
    # on the counters page (a torn-off poster, a tablet switched off).
    SILENT_COUNTER_DAYS = int(os.environ.get("SILENT_COUNTER_DAYS", "7"))
    # The public results page /ket-qua (finalised years only); off: 404.
    PUBLIC_RESULTS = _env_flag("PUBLIC_RESULTS")
    # The anomaly rules' thresholds (their module says why these values);
    # SURVEYAPP_ANOMALY_MIN_SECONDS=10 and the like override them.
    ANOMALY_MIN_SECONDS = 8
    ANOMALY_IDENTICAL_COUNT = 5
    ANOMALY_NETWORK_COUNT = 10
    ANOMALY_WINDOW_MINUTES = 10
    # A kiosk sending this many others within the window serves more people than
    # a counter can: flagged (surveyapp/survey/submission/anomalies.py).
    ANOMALY_KIOSK_COUNT = 10
    # A survey page's render token is good this long: a phone may keep the page
    # offline and send it days later (surveyapp/survey/submission/render.py).
    RENDER_TOKEN_MAX_HOURS = int(os.environ.get("RENDER_TOKEN_MAX_HOURS", "168"))
    # Outgoing mail (the weekly digest): an SMTP relay, STARTTLS when MAIL_USE_TLS=1.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _env_flag("MAIL_USE_TLS")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER") or None


class DevelopmentConfig(Config):
    """Local use: `make run`, an SQLite database under instance/."""

    # The landing page lists the demo counters' survey links; never in production.
    SHOW_DEMO_LINKS = True


class TestingConfig(Config):
    """The test suite; the database URL is set by the fixtures."""

    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105 - tests only, never deployed
    SERVER_NAME = None
    # Each test app counts its own requests, even when REDIS_URL is set outside.
    RATELIMIT_STORAGE_URI = "memory://"


class ProductionConfig(Config):
    """A deployment: refuses to start without a real secret and database."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    ACCESS_LOG = os.environ.get("ACCESS_LOG", "1") == "1"
    ALLOW_DEMO_DATA = False
    # Browsers then refuse plain HTTP to this host for a year.
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))


class BenchmarkConfig(ProductionConfig):
    """`benchmarks/load/`: production on loopback, load from one address.

    The rate limits stay on (their Redis round trips are part of the cost) but
    high enough for 16 clients at one address and one counter; the bare endpoint
    the submissions are compared with is served beside the real ones.
    """

    SURVEY_RATE_LIMIT_IP = "1000000 per minute"
    SURVEY_RATE_LIMIT_COUNTER = "1000000 per minute"
    BENCHMARK_BARE_ENDPOINT = True


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
    "benchmark": BenchmarkConfig,
}


def load_config(name: str | None) -> type[Config]:
    """Return the settings class for `name` (default: development)."""
    name = name or os.environ.get("SURVEYAPP_CONFIG", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise ValueError(
            f"Unknown SURVEYAPP_CONFIG {name!r}; use one of {', '.join(CONFIGS)}"
        ) from None


def _check_public_base_url(config: dict[str, object]) -> None:
    """Refuse a production start whose links would follow the request's Host.

    Without PUBLIC_BASE_URL a receipt's link is built from the Host header, which
    the sender chooses: `Host: evil.example` would print QR codes to evil.example.
    """
    base = str(config.get("PUBLIC_BASE_URL") or "")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RuntimeError(
            "Production needs PUBLIC_BASE_URL, the site's public address, e.g. "
            "https://khaosat.tinh.gov.vn (links and QR codes are built from it, "
            f"never from the request's Host header); got {base!r}"
        )


# A short language tag ("vi", "blt", "zh-Hant"): it fits responses.language.
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,4})?")


def check_languages(config: dict[str, object]) -> None:
    """Refuse LANGUAGES without Vietnamese, the source of every wording, or with
    a code that is not a short language tag."""
    languages = config.get("LANGUAGES")
    if not isinstance(languages, list | tuple) or "vi" not in languages:
        raise RuntimeError(
            f"LANGUAGES must be a list including 'vi'; got {languages!r}"
        )
    wrong = [
        code
        for code in languages
        if not isinstance(code, str) or not LANGUAGE_CODE.fullmatch(code)
    ]
    if wrong:
        raise RuntimeError(
            f"LANGUAGES holds codes that are not short language tags: {wrong!r}"
        )


# The first bytes of a font file fpdf2 can embed: TrueType or OpenType.
FONT_SIGNATURES = (b"\x00\x01\x00\x00", b"true", b"OTTO")


def check_pdf_fonts(config: dict[str, object]) -> None:
    """Turn PDF_FONTS into language -> (regular, bold) absolute paths for every
    language of LANGUAGES, or refuse to start: a language outside LANGUAGES, an
    entry that is not two files, a file missing or not a TrueType/OpenType font.
    """
    given = _parsed_pdf_fonts(config.get("PDF_FONTS") or {})
    languages = list(config["LANGUAGES"])  # type: ignore[call-overload]
    unknown = sorted(set(given) - set(languages))
    if unknown:
        raise RuntimeError(
            f"PDF_FONTS names languages that are not in LANGUAGES: {unknown!r}"
        )
    fonts: dict[str, tuple[str, str]] = {}
    for language in languages:
        files = given.get(language, list(DEFAULT_PDF_FONT))
        if len(files) != 2 or not all(isinstance(f, str) and f for f in files):
            raise RuntimeError(
                f"PDF_FONTS[{language!r}] must be two font files, regular and "
                f"bold; got {files!r}"
            )
        regular, bold = (_font_file(language, name) for name in files)
        fonts[language] = (regular, bold)
    config["PDF_FONTS"] = fonts


def _parsed_pdf_fonts(value: object) -> dict[str, list[str]]:
    """PDF_FONTS as given: a mapping (JSON in the environment) or the text
    "lang:regular,bold;lang:regular,bold"."""
    if isinstance(value, dict):
        return {str(k): list(v) for k, v in value.items()}
    if not isinstance(value, str):
        raise RuntimeError(f"PDF_FONTS must be a mapping or text; got {value!r}")
    fonts: dict[str, list[str]] = {}
    for entry in filter(None, (part.strip() for part in value.split(";"))):
        language, _colon, files = entry.partition(":")
        fonts[language.strip()] = [f.strip() for f in files.split(",")]
    return fonts


def _font_file(language: str, name: str) -> str:
    path = Path(name) if Path(name).is_absolute() else BUNDLED_FONT_DIR / name
    if not path.is_file():
        raise RuntimeError(
            f"PDF_FONTS: the font file {str(path)!r} for language {language!r} "
            "does not exist"
        )
    with path.open("rb") as handle:
        signature = handle.read(4)
    if signature not in FONT_SIGNATURES:
        raise RuntimeError(
            f"PDF_FONTS: {str(path)!r} for language {language!r} is not a "
            "TrueType or OpenType font (.ttf, .otf; collections are not supported)"
        )
    return str(path)


def ensure_secrets(config: dict[str, object], settings: type[Config]) -> None:
    """Fill in a dev secret, or refuse a production start without one."""
    if issubclass(settings, ProductionConfig):
        missing = [
            key for key in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(key)
        ]
        if missing:
            raise RuntimeError(
                f"Production needs these environment variables: {', '.join(missing)}"
            )
        _check_public_base_url(config)
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _dev_secret_key()
    if settings is ProductionConfig and config.get("BENCHMARK_BARE_ENDPOINT"):
        raise RuntimeError(
            "BENCHMARK_BARE_ENDPOINT is for SURVEYAPP_CONFIG=benchmark only"
        )
