"""Application factory."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from flask import Flask, render_template, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from config import check_languages, check_pdf_fonts, ensure_secrets, load_config
from surveyapp.admin.views import bp as admin_bp
from surveyapp.api.views import bp as api_bp
from surveyapp.auth.session import load_user
from surveyapp.auth.views import bp as auth_bp
from surveyapp.benchmark.views import bp as benchmark_bp
from surveyapp.cli import command_groups
from surveyapp.core.branding import logo_url
from surveyapp.counters.views import bp as counters_bp
from surveyapp.dashboard.views import bp as dashboard_bp
from surveyapp.dossiers.views import bp as dossiers_bp
from surveyapp.extensions import babel, csrf, db, limiter, login, mail, migrate
from surveyapp.health.views import bp as health_bp
from surveyapp.kiosk.views import bp as kiosk_bp
from surveyapp.main.views import bp as main_bp
from surveyapp.public.views import bp as public_bp
from surveyapp.receipts.views import bp as receipts_bp
from surveyapp.reports.views import bp as reports_bp
from surveyapp.review.views import bp as review_bp
from surveyapp.survey.views import bp as survey_bp
from surveyapp.web import headers, hygiene, ratelimit, requestlog
from surveyapp.web.language import (
    current_language,
    language_names,
    local_datetime,
    percent,
    points,
    remember_language,
    select_locale,
    url_for_language,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STDOUT_HANDLER = "surveyapp-stdout"


def create_app(config_name: str | None = None, **overrides: Any) -> Flask:
    """Build the app for `config_name` (or SURVEYAPP_CONFIG), with `overrides`."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
    )
    settings = load_config(config_name)
    app.config.from_object(settings)
    app.config.from_prefixed_env("SURVEYAPP")
    app.config.update(overrides)
    ensure_secrets(app.config, settings)
    check_languages(app.config)
    check_pdf_fonts(app.config)
    if app.config.get("PROXY_COUNT"):
        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )
    configure_logging(app)
    requestlog.init_app(app)
    hygiene.init_app(app)
    headers.init_app(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    return app


def configure_logging(app: Flask) -> None:
    """Send the app's logs to stdout once, whatever the server, as LOG_FORMAT says.

    Every line carries the request id (:mod:`surveyapp.web.requestlog`).
    """
    root = logging.getLogger("surveyapp")
    stdout = next((h for h in root.handlers if h.name == STDOUT_HANDLER), None)
    if stdout is None:
        stdout = logging.StreamHandler(sys.stdout)
        stdout.set_name(STDOUT_HANDLER)
        stdout.addFilter(requestlog.RequestIdFilter())
        root.addHandler(stdout)
        root.setLevel(logging.INFO)
        # Alembic's logging config adds a root handler; one line per event is enough.
        root.propagate = False
    if app.config["LOG_FORMAT"] == "json":
        stdout.setFormatter(requestlog.JsonFormatter())
    else:
        stdout.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions to this app."""
    db.init_app(app)
    with app.app_context():
        enforce_sqlite_foreign_keys(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login.init_app(app)
    mail.init_app(app)
    login.user_loader(load_user)
    login.login_view = "auth.login"
    login.login_message_category = "info"
    limiter.init_app(app)
    ratelimit.init_app(app)


def enforce_sqlite_foreign_keys(engine: Engine) -> None:
    """SQLite ignores foreign keys unless asked, on each connection."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def register_blueprints(app: Flask) -> None:
    """Attach one blueprint per feature."""
    for blueprint in (
        health_bp,
        main_bp,
        survey_bp,
        auth_bp,
        dashboard_bp,
        counters_bp,
        dossiers_bp,
        admin_bp,
        reports_bp,
        kiosk_bp,
        api_bp,
        receipts_bp,
        review_bp,
        public_bp,
    ):
        app.register_blueprint(blueprint)
    if app.config["BENCHMARK_BARE_ENDPOINT"]:
        app.register_blueprint(benchmark_bp)


def register_errorhandlers(app: Flask) -> None:
    """Friendly Vietnamese pages instead of the bare HTTP errors."""

    def render_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        return render_template("errors/error.html", code=code), code

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, render_error)


def register_commands(app: Flask) -> None:
    """Add the `flask` CLI groups."""
    for group in command_groups:
        app.cli.add_command(group)


def register_template_helpers(app: Flask) -> None:
    """Give every template the language switch, number formats and the logo's URL."""
    app.after_request(remember_language)
    app.add_template_filter(percent)
    app.add_template_filter(points)
    app.add_template_filter(local_datetime)
    app.add_template_global(logo_url)

    @app.context_processor
    def inject_language() -> dict[str, Any]:
        return {
            "current_language": current_language(),
            "language_names": language_names(),
            "url_for_language": url_for_language,
            "request_path": request.path,
        }
