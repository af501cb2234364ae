"""The comments page: frequent words as filters, hiding with a reason."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import quote, quote_plus

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.dashboard import comments as comments_module
from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Comment
from tests.conftest import AuthActions
from tests.factories import add_responses, make_two_communes


@pytest.fixture
def codes(app: Flask) -> dict[str, str]:
    """Comments of two communes; the hồ sơ ones in 2025, one older one."""
    in_2025 = datetime(2025, 5, 6, 3, 0, tzinfo=UTC)
    with app.app_context():
        codes = make_two_communes()
        add_responses(
            codes["counter_a"], [2], 3, submitted_at=in_2025, comment="Hồ sơ bị trả lại"
        )
        add_responses(
            codes["counter_b"], [5], 2, submitted_at=in_2025, comment="ho so nhanh gon"
        )
        add_responses(
            codes["counter_b"],
            [4],
            2,
            submitted_at=datetime(2024, 1, 9, tzinfo=UTC),
            comment="Cán bộ không nhiệt tình",
        )
    return codes


def _page(client: FlaskClient, code: str, query: str = "") -> str:
    return client.get(f"/quan-ly/co-quan/{code}/gop-y?lang=en{query}").get_data(True)


def _terms(page: str) -> str:
    start = page.find('class="frequent-terms"')
    return page[start : page.find("</section>", start)] if start >= 0 else ""


def test_frequent_words_and_phrases_link_to_the_search(
    client: FlaskClient, auth: AuthActions, codes: dict[str, str]
) -> None:
    auth.login_as("viewer", codes["province"])
    terms = _terms(_page(client, codes["province"]))
    # "ho so" typed without accents counts as "hồ sơ": 3 + 2 comments.
    assert re.search(r">hồ sơ</a> <span class=\"muted\">\(5\)", terms)
    assert re.search(r">không nhiệt</a> <span class=\"muted\">\(2\)", terms)
    assert f"q={quote_plus('hồ sơ')}" in terms
    # Over the period chosen: the 2024 comments are not counted.
    in_2025 = _terms(_page(client, codes["province"], "&from=2025-01-01"))
    assert "hồ sơ" in in_2025 and "nhiệt tình" not in in_2025
    assert "from=2025-01-01" in in_2025, "the link keeps the other filters"
    # Over the unit's subtree only.
    commune_b = _terms(_page(client, codes["commune_b"]))
    assert "trả lại" not in commune_b and "nhiệt tình" in commune_b
    assert "only" not in in_2025


def test_the_words_read_a_bounded_number_of_comments_and_say_so(
    monkeypatch: pytest.MonkeyPatch,
    client: FlaskClient,
    auth: AuthActions,
    codes: dict[str, str],
) -> None:
    monkeypatch.setattr(comments_module, "MAX_WORD_COMMENTS", 4)
    auth.login_as("viewer", codes["province"])
    terms = _terms(_page(client, codes["province"]))
    assert "Counted in the newest 4 comments of this list only" in terms
    # The newest four: 2 "ho so" (added last but one) and 2 "Cán bộ"; ids order.
    assert "(5)" not in terms


def _csrf(page: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    return token.group(1)


def test_hiding_asks_a_reason_then_a_confirmation_and_is_audited(
    app: Flask, client: FlaskClient, auth: AuthActions, codes: dict[str, str]
) -> None:
    auth.login_as("manager", codes["province"])
    with app.app_context():
        comment_id = db.session.scalars(
            select(Comment.id).where(Comment.body == "Cán bộ không nhiệt tình")
        ).first()
    listing = _page(client, codes["province"])
    assert f'action="/quan-ly/gop-y/{comment_id}/an"' in listing
    assert '<option value="personal_data">' in listing
    back = f"/quan-ly/co-quan/{codes['commune_b']}/gop-y?low=1"
    url = f"/quan-ly/gop-y/{comment_id}/an"
    # The list's form only opens the confirmation page: nothing is hidden yet.
    ask = client.get(f"{url}?reason=spam&back={quote(back)}&lang=en")
    assert ask.status_code == 200
    confirm = ask.get_data(as_text=True)
    assert "Cán bộ không nhiệt tình" in confirm
    assert re.search(r'value="spam" required checked', confirm)
    token = _csrf(confirm)
    without_reason = client.post(url, data={"csrf_token": token, "confirm": "yes"})
    assert without_reason.status_code == 400
    assert "Choose why the comment is hidden." in without_reason.get_data(True)
    unknown = {"csrf_token": token, "confirm": "yes", "reason": "dislike"}
    assert client.post(url, data=unknown).status_code == 400
    not_confirmed = client.post(url, data={"csrf_token": token, "reason": "spam"})
    assert not_confirmed.status_code == 200
    with app.app_context():
        assert db.session.get(Comment, comment_id).hidden is False
    done = client.post(
        url,
        data={"csrf_token": token, "reason": "spam", "confirm": "yes", "back": back},
    )
    assert done.status_code == 302 and done.location == back
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        assert comment.hidden and comment.hidden_reason == "spam"
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "comment_hide")
        ).one()
        assert event.details["reason"] == "spam"
        assert event.target == f"comment {comment_id}"
    # The hidden count leads to the hidden list, with each reason in words.
    listing = _page(client, codes["province"])
    assert "1 hidden in this unit" in listing and "hidden=1" in listing
    hidden_list = _page(client, codes["province"], "&hidden=1")
    assert "Cán bộ không nhiệt tình" in hidden_list
    assert (
        "Spam or advertising" in hidden_list and "Hồ sơ bị trả lại" not in hidden_list
    )
    # The audit log gives the reason in words, not its code.
    admin = app.test_client()
    AuthActions(app, admin).login_as("admin", codes["province"])
    audit = admin.get("/quan-ly/quan-tri/nhat-ky?lang=en").get_data(as_text=True)
    assert "reason=Spam or advertising" in audit and "reason=spam" not in audit
    # Hidden comments leave the frequent words.
    assert "nhiệt" not in _terms(listing)


def test_showing_again_is_audited_and_forgets_the_reason(
    app: Flask, client: FlaskClient, auth: AuthActions, codes: dict[str, str]
) -> None:
    auth.login_as("manager", codes["province"])
    with app.app_context():
        comment_id = db.session.scalars(select(Comment.id)).first()
    token = _csrf(_page(client, codes["province"]))
    hide = {"csrf_token": token, "reason": "personal_data", "confirm": "yes"}
    client.post(f"/quan-ly/gop-y/{comment_id}/an", data=hide)
    assert "Personal data" in _page(client, codes["province"], "&hidden=1")
    evil = {"csrf_token": token, "back": "https://evil.example/quan-ly/co-quan/x"}
    shown = client.post(f"/quan-ly/gop-y/{comment_id}/hien", data=evil)
    assert shown.status_code == 302
    assert shown.location.startswith("/quan-ly/co-quan/"), "never another site"
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        assert not comment.hidden and comment.hidden_reason is None
        actions = db.session.scalars(
            select(AuditEvent.action).order_by(AuditEvent.id)
        ).all()
        assert actions[-2:] == ["comment_hide", "comment_show"]


def test_viewers_get_no_hide_page(
    app: Flask, client: FlaskClient, auth: AuthActions, codes: dict[str, str]
) -> None:
    auth.login_as("viewer", codes["province"])
    with app.app_context():
        comment_id = db.session.scalars(select(Comment.id)).first()
    assert client.get(f"/quan-ly/gop-y/{comment_id}/an").status_code == 403
