"""A counter's service fields: set on the counters page or the CLI, audited."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Counter, get_by_code
from tests.conftest import AuthActions
from tests.counters.test_views import token
from tests.factories import SurveySite, make_two_communes


@pytest.fixture
def tree(app: Flask) -> dict[str, str]:
    with app.app_context():
        return make_two_communes()


def fields_of(app: Flask, code: str) -> list[str]:
    with app.app_context():
        counter = get_by_code(Counter, code)
        assert counter is not None
        return [field.code for field in counter.service_fields]


def audited(app: Flask) -> list[tuple[str, dict[str, object]]]:
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "counter_fields")
            .order_by(AuditEvent.id)
        )
        return [(event.target, event.details) for event in events]


# The command line ------------------------------------------------------------------


def test_cli_sets_shows_and_clears_a_counters_fields(
    app: Flask, runner: FlaskCliRunner, site: SurveySite
) -> None:
    # Given in any order, kept in display order.
    result = runner.invoke(args=["counters", "fields", site.counter, "y-te", "dat-dai"])
    assert result.exit_code == 0, result.output
    assert result.output == f"{site.counter}\tdat-dai y-te\n"
    assert fields_of(app, site.counter) == ["dat-dai", "y-te"]
    shown = runner.invoke(args=["counters", "fields", site.counter])
    assert shown.output == f"{site.counter}\tdat-dai y-te\n"
    # The same fields again change nothing and audit nothing.
    runner.invoke(args=["counters", "fields", site.counter, "dat-dai", "y-te"])
    cleared = runner.invoke(args=["counters", "fields", site.counter, "--clear"])
    assert cleared.output == f"{site.counter}\t(every field)\n"
    assert fields_of(app, site.counter) == []
    assert audited(app) == [
        (site.counter, {"before": [], "after": ["dat-dai", "y-te"]}),
        (site.counter, {"before": ["dat-dai", "y-te"], "after": []}),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fields", "NOPE", "ho-tich"], "no counter with code 'NOPE'"),
        (
            ["fields", "{counter}", "ho-tich", "dat-daii"],
            "unknown service field(s): dat-daii",
        ),
        (["fields", "{counter}", "ho-tich", "--clear"], "not both"),
    ],
)
def test_cli_refuses_what_it_cannot_do_and_changes_nothing(
    app: Flask,
    runner: FlaskCliRunner,
    site: SurveySite,
    args: list[str],
    message: str,
) -> None:
    argv = ["counters", *(arg.format(counter=site.counter) for arg in args)]
    result = runner.invoke(args=argv)
    assert result.exit_code != 0
    assert message in result.output
    assert fields_of(app, site.counter) == []
    assert audited(app) == []


# The counters page -----------------------------------------------------------------


def test_manager_chooses_fields_with_checkboxes(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    auth.login_as("manager", tree["commune_a"])
    listing = client.get(f"/quan-ly/quay/{tree['commune_a']}?lang=en")
    html = listing.get_data(as_text=True)
    page_url = f"/quan-ly/quay/{tree['counter_a']}/linh-vuc?back={tree['commune_a']}"
    assert f'href="{page_url}"' in html and "every field" in html
    form = client.get(page_url).get_data(as_text=True)
    assert form.count('type="checkbox"') == 11 and " checked" not in form
    saved = client.post(
        page_url,
        data={"csrf_token": token(form), "fields": ["ho-tich", "chung-thuc"]},
    )
    assert saved.status_code == 302
    assert saved.location.endswith(f"/quan-ly/quay/{tree['commune_a']}")
    assert fields_of(app, tree["counter_a"]) == ["ho-tich", "chung-thuc"]
    again = client.get(page_url).get_data(as_text=True)
    assert again.count(" checked") == 2
    listed = client.get(f"/quan-ly/quay/{tree['commune_a']}?lang=en")
    assert "Civil status registration, Certification" in listed.get_data(as_text=True)
    # Unticking every box ties the counter to no field.
    assert client.post(page_url, data={"csrf_token": token(form)}).status_code == 302
    assert fields_of(app, tree["counter_a"]) == []
    assert [details for _, details in audited(app)] == [
        {"before": [], "after": ["ho-tich", "chung-thuc"]},
        {"before": ["ho-tich", "chung-thuc"], "after": []},
    ]


def test_a_made_up_field_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    auth.login_as("manager", tree["commune_a"])
    url = f"/quan-ly/quay/{tree['counter_a']}/linh-vuc"
    form = client.get(url).get_data(as_text=True)
    posted = client.post(url, data={"csrf_token": token(form), "fields": ["nope"]})
    assert posted.status_code == 422
    assert fields_of(app, tree["counter_a"]) == [] and audited(app) == []


def test_viewers_cannot_choose_fields(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    auth.login_as("viewer", tree["commune_a"])
    listing = client.get(f"/quan-ly/quay/{tree['commune_a']}").get_data(as_text=True)
    assert "/linh-vuc" not in listing
    assert client.get(f"/quan-ly/quay/{tree['counter_a']}/linh-vuc").status_code == 403


def test_another_communes_counter_is_out_of_reach(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    auth.login_as("manager", tree["commune_a"])
    url = f"/quan-ly/quay/{tree['counter_b']}/linh-vuc"
    assert client.get(url).status_code == 404
    form = client.get(f"/quan-ly/quay/{tree['counter_a']}/linh-vuc")
    posted = client.post(
        url, data={"csrf_token": token(form.get_data(as_text=True)), "fields": ["y-te"]}
    )
    assert posted.status_code == 404
    assert fields_of(app, tree["counter_b"]) == []
