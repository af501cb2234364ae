"""`flask digest send`: real messages to a real SMTP server on loopback."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskCliRunner
from flask_babel import force_locale
from sqlalchemy import select

from surveyapp.analysis.scores import score_agency
from surveyapp.core.time import app_zone, local_today
from surveyapp.digest.operations import digest_periods
from surveyapp.extensions import db, mail
from surveyapp.models import Agency, Counter, User, get_by_code
from surveyapp.web.language import percent
from tests.conftest import AuthActions
from tests.factories import add_responses, make_two_communes, make_user

REFUSED = "refused@example.gov.vn"
SENDER = "Khảo sát hài lòng <khaosat@example.gov.vn>"


@dataclass
class Inbox:
    """What the SMTP server accepted: one parsed message per recipient."""

    messages: dict[str, EmailMessage] = field(default_factory=dict)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address == REFUSED:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        for address in envelope.rcpt_tos:
            self.messages[address] = parsed
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox(app: Flask) -> Iterator[Inbox]:
    """An SMTP server on loopback; the app sends its mail there."""
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_SUPPRESS_SEND=False,
        MAIL_DEFAULT_SENDER=SENDER,
        PUBLIC_BASE_URL="https://khaosat.example.gov.vn",
    )
    mail.init_app(app)
    yield received
    controller.stop()


def _at(days_ago: int) -> datetime:
    """Noon, local time, `days_ago` days before today, in UTC as stored."""
    day = local_today() - timedelta(days=days_ago)
    return datetime.combine(day, time(12), app_zone()).astimezone(UTC)


@pytest.fixture
def province(app: Flask) -> dict[str, str]:
    """Commune A falls from mostly good to mostly poor this week; B holds steady;
    a second counter of B was last used three weeks ago."""
    with app.app_context():
        codes = make_two_communes("D")
        add_responses(codes["counter_a"], [5, 4], 60, submitted_at=_at(10))
        add_responses(codes["counter_a"], [2, 1], 10, submitted_at=_at(10))
        add_responses(codes["counter_a"], [5, 4], 25, submitted_at=_at(3))
        add_responses(
            codes["counter_a"], [2, 1], 45, submitted_at=_at(3), comment="Chờ quá lâu"
        )
        for days_ago in (10, 3):
            add_responses(codes["counter_b"], [5, 4], 60, submitted_at=_at(days_ago))
            add_responses(codes["counter_b"], [3, 2], 10, submitted_at=_at(days_ago))
        point_b = get_by_code(Agency, codes["point_b"])
        db.session.add(Counter(code="DB-Q2", name="Quầy số 2", service_point=point_b))
        db.session.commit()
        add_responses("DB-Q2", [5, 4], 3, submitted_at=_at(21))
        codes["manager"] = make_user("manager", codes["province"])
        codes["admin"] = make_user("admin", codes["province"], "admin@example.gov.vn")
        codes["off"] = make_user("manager", codes["commune_a"])
        codes["viewer"] = make_user("viewer", codes["province"])
        codes["gone"] = make_user("manager", codes["province"], "gone@example.gov.vn")
        _user(codes["gone"]).active = False
        make_user("manager", codes["commune_b"], REFUSED)
        _user(codes["admin"]).language = "en"
        _user(codes["off"]).digest_enabled = False
        db.session.commit()
    return codes


def _user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def _text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def _html(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def _week_index(app: Flask, code: str) -> str:
    """The subtree's index of the digest's week, formatted as in Vietnamese."""
    with app.app_context():
        week, _year = digest_periods(local_today())
        agency = get_by_code(Agency, code)
        assert agency is not None
        row = score_agency(agency, week).row(code, "index", "SIPAS")
        assert row is not None
        with app.test_request_context(), force_locale("vi"):
            return percent(row["estimate"])


def test_each_manager_gets_their_digest_in_their_language(
    app: Flask,
    runner: FlaskCliRunner,
    inbox: Inbox,
    province: dict[str, str],
    auth: AuthActions,
) -> None:
    result = runner.invoke(args=["digest", "send"])
    assert result.exit_code == 1, result.output
    assert f"NOT sent to {REFUSED}" in result.output
    assert "1 of 3 digests not sent" in result.output
    # Opted out, read-only, deactivated and refused: none of them in the inbox.
    assert set(inbox.messages) == {province["manager"], province["admin"]}

    vietnamese = inbox.messages[province["manager"]]
    assert vietnamese["Subject"].startswith("Mức độ hài lòng tuần qua: Tỉnh Hai Xã")
    assert vietnamese["From"] == SENDER
    text, html = _text(vietnamese), _html(vietnamese)
    index = _week_index(app, province["province"])
    for part in (text, html):
        assert index in part
        assert "Đơn vị giảm rõ rệt trong tuần" in part
        assert "Góp ý mới có đánh giá thấp trong tuần: 45" in part
    drops = text.split("Đơn vị giảm rõ rệt trong tuần:")[1].split("\n\n")[0]
    assert "Xã An Phú" in drops and "Phường Bình Minh" not in drops
    with app.app_context():
        noon = f"{local_today() - timedelta(days=21):%d/%m/%Y} 12:00"
    assert (
        f"Quầy số 2, Bộ phận Một cửa Phường Bình Minh: phiếu gần nhất lúc {noon}"
        in text
    )
    assert "Quầy số 1" not in text

    # The link opens the dashboard showing the same index for the same week.
    link = re.search(r"https://khaosat\.example\.gov\.vn(/quan-ly/\S+)", text)
    assert link is not None
    auth.login(province["manager"])
    page = auth.client.get(link.group(1))
    assert page.status_code == 200
    shown = page.get_data(as_text=True)
    assert index in shown
    change = re.search(r"Thay đổi so với [^:]+: (\S+) điểm phần trăm", text)
    assert change is not None and change.group(1).startswith("\u2212")
    assert f">{change.group(1)} <span aria-hidden" in shown, "the same change"

    english = inbox.messages[province["admin"]]
    assert english["Subject"].startswith("Satisfaction this week: Tỉnh Hai Xã")
    assert "Units with a significant drop this week" in _text(english)


def test_dry_run_sends_nothing(
    runner: FlaskCliRunner, inbox: Inbox, province: dict[str, str]
) -> None:
    result = runner.invoke(args=["digest", "send", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"would send to {province['manager']} (vi): Mức độ hài lòng" in result.output
    assert f"would send to {province['admin']} (en): Satisfaction" in result.output
    assert province["off"] not in result.output
    assert province["viewer"] not in result.output
    assert province["gone"] not in result.output
    assert inbox.messages == {}


def test_one_agency_only(
    runner: FlaskCliRunner, inbox: Inbox, province: dict[str, str]
) -> None:
    result = runner.invoke(
        args=["digest", "send", "--agency", province["commune_b"], "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert REFUSED in result.output and province["manager"] not in result.output
    unknown = runner.invoke(args=["digest", "send", "--agency", "NOPE"])
    assert unknown.exit_code == 1 and "no agency with code 'NOPE'" in unknown.output


def test_an_unreachable_server_fails_every_message_but_finishes(
    app: Flask, runner: FlaskCliRunner, inbox: Inbox, province: dict[str, str]
) -> None:
    app.config["MAIL_PORT"] = _free_port()
    mail.init_app(app)
    result = runner.invoke(args=["digest", "send", "--agency", province["commune_b"]])
    assert result.exit_code == 1
    assert "1 of 1 digests not sent" in result.output
    assert f"NOT sent to {REFUSED}" in result.output


def test_no_sender_no_sending(
    app: Flask, runner: FlaskCliRunner, inbox: Inbox, province: dict[str, str]
) -> None:
    app.config["MAIL_DEFAULT_SENDER"] = None
    result = runner.invoke(args=["digest", "send"])
    assert result.exit_code == 1 and "MAIL_DEFAULT_SENDER" in result.output
    assert inbox.messages == {}


def test_names_are_escaped_in_html_only(
    app: Flask, runner: FlaskCliRunner, inbox: Inbox, province: dict[str, str]
) -> None:
    with app.app_context():
        commune = get_by_code(Agency, province["commune_a"])
        assert commune is not None
        commune.name = "Xã <An> & Phú"
        db.session.commit()
    runner.invoke(args=["digest", "send", "--agency", province["province"]])
    message = inbox.messages[province["manager"]]
    assert "- Xã <An> & Phú: " in _text(message)
    html = _html(message)
    assert "<li>Xã &lt;An&gt; &amp; Phú: " in html and "<An>" not in html
