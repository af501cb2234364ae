"""The counters page shows each counter's month, last response and silence."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from surveyapp.core.activity import counter_activity
from surveyapp.core.time import local_time
from surveyapp.extensions import db
from surveyapp.models import Agency, Counter, get_by_code
from tests.conftest import AuthActions
from tests.factories import add_responses, make_two_communes

SILENT = "Không có phản hồi"


def _add_counter(
    point_code: str, code: str, age_days: int, active: bool = True
) -> None:
    point = get_by_code(Agency, point_code)
    db.session.add(
        Counter(
            code=code,
            name=code,
            service_point=point,
            active=active,
            created_at=datetime.now(UTC) - timedelta(days=age_days),
        )
    )
    db.session.commit()


@pytest.fixture
def counters(app: Flask) -> dict[str, str]:
    """Counters with every kind of history, and the expected last-response text."""
    now = datetime.now(UTC)
    ten_days_ago = now - timedelta(days=10, minutes=7)
    with app.app_context():
        codes = make_two_communes()
        # Busy: two responses now and one 40 days ago (always an earlier month).
        add_responses(codes["counter_a"], [4], 2)
        add_responses(codes["counter_a"], [4], 1, submitted_at=now - timedelta(40))
        add_responses(codes["counter_b"], [4], 1, submitted_at=ten_days_ago)
        _add_counter(codes["point_a"], "H-A-NEW", age_days=2)
        _add_counter(codes["point_a"], "H-A-OLD", age_days=30)
        _add_counter(codes["point_a"], "H-A-OFF", age_days=30, active=False)
        codes["quiet_time"] = f"{local_time(ten_days_ago):%d/%m/%Y %H:%M}"
    return codes


def _row(html: str, code: str) -> str:
    """The table row of counter `code`."""
    match = re.search(
        rf'<tr[^>]*>\s*<th scope="row">{re.escape(code)}</th>.*?</tr>', html, re.S
    )
    assert match, code
    return match.group(0)


def test_counters_page_marks_silent_counters(
    client: FlaskClient, auth: AuthActions, counters: dict[str, str]
) -> None:
    auth.login_as("manager", counters["province"])
    html = client.get(f"/quan-ly/quay/{counters['province']}").get_data(as_text=True)
    busy, quiet = _row(html, counters["counter_a"]), _row(html, counters["counter_b"])
    assert re.search(r'class="num month-responses">2<', busy)
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", busy) and SILENT not in busy
    assert counters["quiet_time"] in quiet
    assert "Im lặng: không có phản hồi trong 7 ngày" in quiet
    assert 'class="silent-counter"' in quiet
    assert "chưa có" in _row(html, "H-A-NEW") and SILENT not in _row(html, "H-A-NEW")
    assert "Im lặng" in _row(html, "H-A-OLD")
    assert "Im lặng" not in _row(html, "H-A-OFF")
    assert "2 quầy im lặng" in html


def test_silence_threshold_is_configurable(
    app: Flask, client: FlaskClient, auth: AuthActions, counters: dict[str, str]
) -> None:
    app.config["SILENT_COUNTER_DAYS"] = 12
    auth.login_as("manager", counters["province"])
    html = client.get(f"/quan-ly/quay/{counters['province']}").get_data(as_text=True)
    assert "Im lặng" not in _row(html, counters["counter_b"])
    assert "trong 12 ngày" in _row(html, "H-A-OLD")


def test_activity_is_one_grouped_query(app: Flask, counters: dict[str, str]) -> None:
    statements: list[str] = []

    def keep(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    with app.app_context():
        everyone = list(db.session.scalars(db.select(Counter)))
        assert len(everyone) == 5
        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            activity = counter_activity(everyone)
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
        by_code = {c.code: activity[c.id] for c in everyone}
    assert len(statements) == 1 and "GROUP BY" in statements[0]
    assert by_code[counters["counter_a"]].month_responses == 2
    assert [code for code, seen in sorted(by_code.items()) if seen.silent] == [
        "H-A-OLD",
        counters["counter_b"],
    ]
