"""Per-account throttling: a wait across addresses, an audited lock-out, unlock."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from werkzeug.test import TestResponse

from surveyapp.extensions import db
from surveyapp.models import User
from surveyapp.models import accounts as account_models
from tests.auth.test_views import actions, csrf
from tests.conftest import AuthActions
from tests.factories import DEFAULT_PASSWORD, SurveySite
from tests.web import test_ratelimit as workers


def sign_in_from(
    client: FlaskClient, address: str, email: str, password: str
) -> TestResponse:
    """A sign-in attempt sent from `address`, as a botnet would."""
    token = csrf(client, "/quan-ly/dang-nhap")
    return client.post(
        "/quan-ly/dang-nhap",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def guesses(client: FlaskClient, email: str, count: int) -> list[int]:
    """`count` wrong passwords for `email`, each from another address."""
    return [
        sign_in_from(client, f"10.0.{n}.1", email, "wrong-password").status_code
        for n in range(count)
    ]


def user_named(app: Flask, email: str) -> User:
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        db.session.expunge(user)
        return user


def test_one_account_is_throttled_across_addresses(
    client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    email = auth.create("manager", site.commune)
    assert guesses(client, email, 10) == [200] * 5 + [429] * 5
    # Even the right password waits now: the budget is the account's.
    refused = sign_in_from(client, "10.9.9.9", email, DEFAULT_PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1


def test_an_unknown_email_is_throttled_exactly_alike(
    client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    known = auth.create("manager", site.commune)
    assert guesses(client, "nobody@example.gov.vn", 10) == guesses(client, known, 10)


def test_right_passwords_do_not_spend_the_budget(
    client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    email = auth.create("manager", site.commune)
    for n in range(8):
        assert sign_in_from(client, f"10.2.{n}.1", email, DEFAULT_PASSWORD).status_code
        client.delete_cookie("session")
    assert guesses(client, email, 5) == [200] * 5


def test_lock_out_is_audited_ends_sessions_and_is_lifted_by_an_admin(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    runner: FlaskCliRunner,
    site: SurveySite,
) -> None:
    app.config.update(LOGIN_LOCKOUT_FAILURES=3)
    email = auth.create("manager", site.commune)
    signed_in = app.test_client()
    assert AuthActions(app, signed_in).login(email).status_code == 302
    assert guesses(client, email, 3) == [200] * 3
    assert user_named(app, email).locked_at is not None
    assert actions(app).count("account_locked") == 1
    # The account's own session ends, and the right password no longer opens it.
    assert signed_in.get("/quan-ly/mat-khau").status_code == 302
    refused = sign_in_from(client, "10.3.0.1", email, DEFAULT_PASSWORD)
    assert refused.status_code == 200
    assert "Sai thư điện tử hoặc mật khẩu" in refused.get_data(as_text=True)

    unlocked = runner.invoke(args=["users", "unlock", email.upper()])
    assert unlocked.exit_code == 0, unlocked.output
    assert f"unlocked {email}" in unlocked.output
    assert actions(app)[-1] == "account_unlock"
    user = user_named(app, email)
    assert (user.locked_at, user.failed_sign_ins) == (None, 0)
    # The limiter's windows are emptied too: no waiting after an unlock.
    assert sign_in_from(client, "10.3.0.2", email, DEFAULT_PASSWORD).status_code == 302


def test_a_sign_in_clears_the_run_of_failures(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    app.config.update(LOGIN_LOCKOUT_FAILURES=3)
    email = auth.create("manager", site.commune)
    assert guesses(client, email, 2) == [200, 200]
    assert user_named(app, email).failed_sign_ins == 2
    assert sign_in_from(client, "10.4.0.1", email, DEFAULT_PASSWORD).status_code == 302
    assert user_named(app, email).failed_sign_ins == 0


def test_unlocking_an_unknown_user_fails(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["users", "unlock", "nobody@example.gov.vn"])
    assert result.exit_code == 1
    assert "no user with email nobody@example.gov.vn" in result.output


def change_password(client: FlaskClient, current: str) -> TestResponse:
    token = csrf(client, "/quan-ly/mat-khau")
    return client.post(
        "/quan-ly/mat-khau",
        data={
            "csrf_token": token,
            "current_password": current,
            "new_password": "a-much-longer-one",
            "confirm": "a-much-longer-one",
        },
    )


def test_password_change_is_rate_limited(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    app.config.update(LOGIN_ACCOUNT_RATE_LIMIT="100 per minute")
    auth.login_as("manager", site.commune)
    codes = [change_password(client, "not-it-at-all").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_a_wrong_current_password_counts_against_the_account(
    app: Flask, client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    app.config.update(LOGIN_LOCKOUT_FAILURES=4)
    email = auth.login_as("manager", site.commune)
    assert [change_password(client, "not-it-at-all").status_code for _ in range(3)] == [
        200
    ] * 3
    assert user_named(app, email).failed_sign_ins == 3
    # The fourth wrong password locks the account and ends this session too.
    change_password(client, "not-it-at-all")
    assert user_named(app, email).locked_at is not None
    assert client.get("/quan-ly/mat-khau").status_code == 302


def test_password_change_failures_share_the_sign_in_budget(
    client: FlaskClient, auth: AuthActions, site: SurveySite
) -> None:
    email = auth.login_as("manager", site.commune)
    assert [change_password(client, "not-it-at-all").status_code for _ in range(3)] == [
        200
    ] * 3
    guesser = client.application.test_client()
    assert guesses(guesser, email, 3) == [200, 200, 429]


@pytest.fixture
def hash_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The password hashes checked, whatever the caller."""
    checked: list[str] = []
    real: Callable[[str, str], bool] = account_models.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        checked.append(pwhash.split(":", 1)[0])
        return real(pwhash, password)

    monkeypatch.setattr(account_models, "check_password_hash", counting)
    return checked


@pytest.mark.parametrize(
    "email",
    ["nobody@example.gov.vn", "manager.t-x@example.gov.vn"],
    ids=["unknown", "known"],
)
def test_the_password_hash_runs_for_known_and_unknown_emails(
    auth: AuthActions, site: SurveySite, hash_checks: list[str], email: str
) -> None:
    auth.create("manager", site.commune, "manager.t-x@example.gov.vn")
    assert auth.login(email, "wrong-password").status_code == 200
    # One check each time, with the same kind of hash (and so the same cost).
    assert hash_checks == ["scrypt"]


# Redis at the address the rate-limit tests use, or their skip (a failure in CI).
redis_url = workers.redis_url


def test_the_account_budget_and_unlock_hold_across_workers_sharing_redis(
    app: Flask, auth: AuthActions, site: SurveySite, redis_url: str
) -> None:
    email = auth.create("viewer", site.commune, f"r{uuid.uuid4().hex[:10]}@x.gov.vn")
    first = workers._worker(app, redis_url)
    codes = guesses(first.test_client(), email, 3)
    # A second worker starts: with memory storage it would start from zero.
    second = workers._worker(app, redis_url)
    codes += guesses(second.test_client(), email, 3)
    assert codes == [200] * 5 + [429]
    unlocked = second.test_cli_runner().invoke(args=["users", "unlock", email])
    assert unlocked.exit_code == 0, unlocked.output
    answer = sign_in_from(first.test_client(), "10.5.0.1", email, DEFAULT_PASSWORD)
    assert answer.status_code == 302
    workers._dispose(first, second)
