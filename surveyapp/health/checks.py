"""What makes this process ready to serve: the database, Redis, the schema.

Each check answers "ok" or a short reason an operator can act on; none of them
repeats an error's text, which may carry a database URL with its password.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import redis
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from surveyapp.extensions import db

log = logging.getLogger(__name__)

OK = "ok"
# A readiness probe must answer within the balancer's timeout, Redis up or not.
REDIS_TIMEOUT_SECONDS = 1.0


@cache
def code_heads(migrations_directory: str) -> frozenset[str]:
    """The head revisions of the migration scripts shipped with this code."""
    config = AlembicConfig()
    config.set_main_option("script_location", migrations_directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def database_and_migrations() -> tuple[str, str]:
    """(database, migrations): can we query it, and is its schema at the head?"""
    directory = str(Path(current_app.extensions["migrate"].directory))
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = frozenset(
                MigrationContext.configure(connection).get_current_heads()
            )
    except SQLAlchemyError as error:
        log.warning("readiness: database unreachable (%s)", type(error).__name__)
        return "unreachable", "unknown"
    expected = code_heads(directory)
    if current == expected:
        return OK, OK
    found = ", ".join(sorted(current)) or "none"
    return OK, f"database at {found}, code at {', '.join(sorted(expected))}"


@cache
def _redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )


def redis_state() -> str:
    """Redis of the rate limits: "ok", "unreachable", or "not configured"."""
    url = str(current_app.config.get("RATELIMIT_STORAGE_URI", ""))
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return "not configured"
    try:
        _redis_client(url).ping()
    except redis.RedisError as error:
        log.warning("readiness: Redis unreachable (%s)", type(error).__name__)
        return "unreachable"
    return OK


def readiness() -> dict[str, str]:
    """Every check by name, each "ok" or what is wrong."""
    database, migrations = database_and_migrations()
    return {"database": database, "migrations": migrations, "redis": redis_state()}


def is_ready(checks: dict[str, str]) -> bool:
    """Ready when every check is fine; Redis may also be absent by design."""
    return all(state in (OK, "not configured") for state in checks.values())
