"""The OpenAPI document against the server: schemathesis with all its checks.

Bounded and derandomized for CI: a fixed number of examples per operation, the
same ones on every run, on SQLite. A run that finds a mismatch fails with the
failing request, to be replayed with `case.call_and_validate()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings
from schemathesis import Case, GenerationMode

from surveyapp.api.openapi import openapi_document
from surveyapp.app import create_app
from surveyapp.core.catalogue import load_builtin_questionnaires, load_service_fields
from surveyapp.core.links import counter_token
from surveyapp.extensions import db
from surveyapp.models import Counter, get_by_code
from tests.factories import make_site
from tests.receipts.support import bearer, new_key

# The counter of make_site(); the key of its province may issue receipts there.
SITE_COUNTER = "TX-Q1"
# What the schema cannot say of a valid response: the questionnaire's codes and
# at least one rating.
REAL_TARGET = {"kind": "counter", "service_field": "ho-tich", "answers": {"A1": 4}}
# A few hundred requests in all: the three operations, each well under a minute.
EXAMPLES_PER_OPERATION = 60


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on its own SQLite database, with a site; rate limits off."""
    path: Path = tmp_path_factory.mktemp("schemathesis") / "api.sqlite3"
    app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", RATELIMIT_ENABLED=False
    )
    with app.app_context():
        upgrade()
        load_builtin_questionnaires()
        load_service_fields()
        db.session.commit()
        make_site()
    LATE_APP.target = app
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def api_key(fuzzed_app: Flask) -> str:
    return new_key(fuzzed_app, "T-P")


@pytest.fixture(scope="module")
def counter_link(fuzzed_app: Flask) -> str:
    with fuzzed_app.app_context():
        counter = get_by_code(Counter, SITE_COUNTER)
        assert counter is not None
        return counter_token(counter)


class LateApp:
    """A WSGI app forwarding to the fixture's app, which exists only once tests run.

    The schema must be loaded at import (schemathesis' lazy fixture loader does
    not run under pytest 9) and know its app then, as `from_wsgi` would set it.
    """

    target: Flask | None = None

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        assert self.target is not None, "the fuzzed_app fixture sets the app"
        return self.target(environ, start_response)


LATE_APP = LateApp()
# The document the app serves (a test below checks that it is this one).
schema = schemathesis.openapi.from_dict(openapi_document())
schema.app = LATE_APP


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_document_says(
    case: Case, api_key: str, counter_link: str
) -> None:
    if _is_positive(case):
        # Random tokens and counter codes are all a 404: in valid requests, a real
        # one reaches the storing, with the rest of the body as generated.
        if case.operation.path == "/receipts":
            case.body["counter"] = SITE_COUNTER
        elif case.operation.path == "/responses":
            case.body.update(REAL_TARGET, token=counter_link)
    case.call_and_validate(headers=bearer(api_key))


def _is_positive(case: Case) -> bool:
    return (
        case.meta is not None
        and case.meta.generation.mode == GenerationMode.POSITIVE
        and isinstance(case.body, dict)
    )


def test_the_fuzzed_document_is_the_served_one(fuzzed_app: Flask) -> None:
    served = fuzzed_app.test_client().get("/api/v1/openapi.json")
    assert served.json == openapi_document()
