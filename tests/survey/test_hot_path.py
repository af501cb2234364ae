"""A submission costs a handful of SQL statements, however deep the agency tree and
however busy the counter.

Before: 19 to 20 per submission (criteria loaded factor by factor, the
questionnaire found by loading each ancestor, the identical-answers rule reading
every recent answer, the idempotency key looked up twice, reloads after commit).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from surveyapp.extensions import db
from surveyapp.models import (
    Agency,
    Counter,
    Questionnaire,
    Response,
    counter_with_questionnaire,
    get_by_code,
)
from tests.factories import SurveySite, add_responses
from tests.helpers import fill_form, survey_path
from tests.receipts.support import response_body

# The counter with its questionnaire, service fields, the rules, the response,
# its answers.
FORM_STATEMENTS = 5
# The API also looks its idempotency key up first, to answer a resend with 200.
API_STATEMENTS = 6


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app sends to the database meanwhile."""
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def deepen(app: Flask, site: SurveySite) -> None:
    """Put the questionnaire at the top of a taller tree, and the counter busy."""
    with app.app_context():
        province = get_by_code(Agency, site.province)
        commune = get_by_code(Agency, site.commune)
        assert province is not None and commune is not None
        questionnaire = db.session.scalars(
            select(Questionnaire).where(Questionnaire.code == "sipas-2023")
        ).one()
        for agency in db.session.scalars(select(Agency)):
            agency.questionnaire = None
        province.questionnaire = questionnaire
        district = Agency(code="T-D", name="Huyện", parent=province)
        commune.parent = district
        db.session.commit()
        add_responses(site.counter, [4, 5, 3], 30)


@pytest.mark.parametrize("submissions", [3])
def test_a_form_submission_needs_few_statements(
    app: Flask,
    client: FlaskClient,
    site: SurveySite,
    submissions: int,
) -> None:
    deepen(app, site)
    path = survey_path(app, site.counter)
    for _ in range(submissions):
        data = fill_form(client, path)
        with counted(app) as statements:
            assert client.post(path, data=data).status_code == 302
        assert len(statements) <= FORM_STATEMENTS, "\n".join(statements)
    with app.app_context():
        stored = db.session.scalars(
            select(Response).where(Response.render_nonce.is_not(None))
        ).all()
        assert len(stored) == submissions
        assert all(response.anomaly_reasons == [] for response in stored)


def test_an_api_submission_needs_few_statements(
    app: Flask, client: FlaskClient, site: SurveySite
) -> None:
    deepen(app, site)
    token = survey_path(app, site.counter).removeprefix("/s/")
    # The first submission of a questionnaire version reads its criteria, once.
    first = client.post("/api/v1/responses", json=response_body(token, kind="counter"))
    assert first.status_code == 201
    for _ in range(3):
        with counted(app) as statements:
            sent = client.post(
                "/api/v1/responses", json=response_body(token, kind="counter")
            )
            assert sent.status_code == 201
            assert sent.get_json()["id"]
        assert len(statements) <= API_STATEMENTS, "\n".join(statements)


def test_the_questionnaire_is_the_nearest_one_up_the_tree(
    app: Flask, site: SurveySite
) -> None:
    deepen(app, site)
    with app.app_context():
        counter = get_by_code(Counter, site.counter)
        commune = get_by_code(Agency, site.commune)
        assert counter is not None and commune is not None
        top = counter.active_questionnaire()
        assert top is not None and top.code == "sipas-2023"
        older = db.session.scalars(
            select(Questionnaire).where(Questionnaire.code == "sipas-2017")
        ).one()
        commune.questionnaire = older
        db.session.commit()
        assert counter.active_questionnaire() is older
        assert counter.service_point.active_questionnaire() is older
        for agency in db.session.scalars(select(Agency)):
            agency.questionnaire = None
        db.session.commit()
        assert counter.active_questionnaire() is None


def test_the_counter_and_its_questionnaire_come_in_one_query(
    app: Flask, site: SurveySite
) -> None:
    deepen(app, site)
    with app.app_context():
        with counted(app) as statements:
            found = counter_with_questionnaire(site.counter)
        assert len(statements) == 1
        assert found is not None
        counter, questionnaire = found
        assert (counter.code, questionnaire.code) == (site.counter, "sipas-2023")
        commune = get_by_code(Agency, site.commune)
        assert commune is not None
        commune.questionnaire = db.session.scalars(
            select(Questionnaire).where(Questionnaire.code == "sipas-2017")
        ).one()
        db.session.commit()
        found = counter_with_questionnaire(site.counter)
        assert found is not None and found[1].code == "sipas-2017"
        assert counter_with_questionnaire("NO-SUCH-COUNTER") is None
        counter = get_by_code(Counter, site.counter)
        assert counter is not None
        counter.active = False
        db.session.commit()
        assert counter_with_questionnaire(site.counter) is None
        assert counter_with_questionnaire(site.other_counter) is not None
        for agency in db.session.scalars(select(Agency)):
            agency.questionnaire = None
        db.session.commit()
        assert counter_with_questionnaire(site.other_counter) is None
