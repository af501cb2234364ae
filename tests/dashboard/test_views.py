"""The dashboard: scoped access, scores with intervals, ranking, comments."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from surveyapp.core.time import local_today
from surveyapp.extensions import db
from surveyapp.models import AnomalyState, AuditEvent, Comment, Response
from tests.conftest import AuthActions
from tests.factories import add_responses, make_two_communes

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def tree(app: Flask) -> dict[str, str]:
    """Two communes: A rather satisfied (40 responses), B less (30), with comments."""
    with app.app_context():
        codes = make_two_communes()
        # Not all alike: identical answers in every stratum give a standard
        # error of 0, and the index interval then falls back to Clopper-Pearson
        # on n, 31 points wide here (suppressed).
        add_responses(codes["counter_a"], [5, 4, 4, 3], 25)
        add_responses(codes["counter_a"], [5, 4, 3, 3], 5)
        add_responses(
            codes["counter_a"],
            [2, 1, 5],
            10,
            field_code="dat-dai",
            comment="Chờ quá lâu",
        )
        add_responses(codes["counter_b"], [3, 2, 4], 28)
        add_responses(codes["counter_b"], [1, 1, 2], 1, comment=XSS)
        add_responses(codes["counter_b"], [1, 1, 2], 1)
    return codes


def test_manager_sees_own_commune_only(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    auth.login_as("manager", tree["commune_a"])
    assert client.get(f"/quan-ly/co-quan/{tree['commune_a']}").status_code == 200
    assert client.get(f"/quan-ly/co-quan/{tree['point_a']}").status_code == 200
    for code in (tree["commune_b"], tree["point_b"], tree["province"], "NOPE"):
        assert client.get(f"/quan-ly/co-quan/{code}").status_code == 404, code
        assert client.get(f"/quan-ly/co-quan/{code}/gop-y").status_code == 404, code
        assert (
            client.get(f"/quan-ly/api/co-quan/{code}/diem.json").status_code == 404
        ), code


def test_other_communes_comment_cannot_be_hidden_by_url(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    auth.login_as("manager", tree["commune_a"])
    with app.app_context():
        foreign = db.session.scalars(select(Comment).where(Comment.body == XSS)).first()
        assert foreign is not None
        foreign_id = foreign.id
    page = client.get(f"/quan-ly/co-quan/{tree['commune_a']}/gop-y")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token
    response = client.post(
        f"/quan-ly/gop-y/{foreign_id}/an",
        data={"csrf_token": token.group(1), "reason": "spam", "confirm": "yes"},
    )
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Comment, foreign_id).hidden is False


def test_anonymous_is_sent_to_sign_in(
    client: FlaskClient, tree: dict[str, str]
) -> None:
    for path in (
        f"/quan-ly/co-quan/{tree['commune_a']}",
        f"/quan-ly/api/co-quan/{tree['commune_a']}/diem.json",
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert "/quan-ly/dang-nhap" in response.headers["Location"]


def test_dashboard_shows_index_with_interval_and_chart(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    auth.login_as("viewer", tree["commune_a"])
    html = client.get(f"/quan-ly/co-quan/{tree['commune_a']}").get_data(as_text=True)
    assert "Xã An Phú" in html
    assert re.search(r'class="big-number">\d+,\d\xa0%<', html)
    assert re.search(r'class="ci">\d+,\d\xa0% – \d+,\d\xa0%<', html)
    # Factor bars and the monthly trend (beside the answers' small bars).
    assert len(re.findall(r'<svg [^>]*class="chart"', html)) == 2
    assert "Có thái độ giao tiếp lịch sự, tôn trọng người dân." in html


def test_scores_json_matches_the_page(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    auth.login_as("viewer", tree["province"])
    data = client.get(f"/quan-ly/api/co-quan/{tree['province']}/diem.json").get_json()
    assert data["agency"] == tree["province"]
    assert data["method"] == "kg"
    overall = [
        r
        for r in data["rows"]
        if r["domain"] == tree["province"] and r["code"] == "SIPAS"
    ]
    assert overall and overall[0]["n"] == 70
    low, estimate, high = (
        overall[0]["ci_low"],
        overall[0]["estimate"],
        overall[0]["ci_high"],
    )
    assert 0 <= low < estimate < high <= 1
    domains = {r["domain"] for r in data["rows"]}
    assert {
        tree["commune_a"],
        tree["commune_b"],
        tree["point_a"],
        tree["point_b"],
    } <= domains


def test_ranking_shows_rank_intervals(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    auth.login_as("admin", tree["province"])
    html = client.get(f"/quan-ly/co-quan/{tree['province']}?lang=en").get_data(
        as_text=True
    )
    ranking = html[html.index('class="data ranking"') :]
    assert re.search(r"<td>1 / 2</td>\s*<th scope=\"row\"><a [^>]*>Xã An Phú", ranking)
    assert re.search(
        r"<td>2 / 2</td>\s*<th scope=\"row\"><a [^>]*>Phường Bình Minh", ranking
    )


def test_thin_data_is_flagged_and_not_ranked(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    with app.app_context():
        codes = make_two_communes("K")
        add_responses(codes["counter_a"], [5, 4, 3], 40)
        add_responses(codes["counter_b"], [4, 5], 3)
    auth.login_as("admin", codes["province"])
    html = client.get(f"/quan-ly/co-quan/{codes['province']}?lang=en").get_data(
        as_text=True
    )
    ranking = html[html.index('class="data ranking"') :]
    row_b = ranking[
        ranking.index("Phường Bình Minh") - 300 : ranking.index("Phường Bình Minh")
        + 600
    ]
    assert "not ranked" in row_b
    assert "suppressed" in row_b or "use with care" in row_b


@pytest.mark.parametrize(
    "query",
    [
        "?period=quarter&year=2026&quarter=9",
        "?period=month&year=abc",
        "?period=range&from=bad",
        "?year=99999999",
    ],
)
def test_bad_period_falls_back_with_a_message(
    client: FlaskClient, auth: AuthActions, tree: dict[str, str], query: str
) -> None:
    auth.login_as("viewer", tree["commune_a"])
    response = client.get(f"/quan-ly/co-quan/{tree['commune_a']}{query}&lang=en")
    assert response.status_code in (200, 400)
    assert "not valid" in response.get_data(as_text=True) or response.status_code == 400


def test_a_reversed_range_says_what_is_wrong(
    client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    auth.login_as("viewer", tree["commune_a"])
    html = client.get(
        f"/quan-ly/co-quan/{tree['commune_a']}?period=range&from=2026-05-01&to=2026-01-01"
    ).get_data(as_text=True)
    assert "Ngày kết thúc 01/01/2026 trước ngày bắt đầu 01/05/2026" in html


def test_the_period_form_shows_the_chosen_kind_first(
    client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    """Each control names the kinds it belongs to (period.js hides the others);
    a quarter's page preselects its quarter, not the first."""
    auth.login_as("viewer", tree["commune_a"])
    html = client.get(
        f"/quan-ly/co-quan/{tree['commune_a']}?period=quarter&year=2026&quarter=3"
    ).get_data(as_text=True)
    assert 'data-period-kinds="quarter"' in html and "period.js" in html
    assert '<option value="3" selected>' in html


@pytest.mark.parametrize(
    "query",
    [
        "?period=year&year=2020",
        "?period=month&year=2026&month=2",
        "?period=range&from=2026-01-01&to=2026-12-31",
    ],
)
def test_periods(
    client: FlaskClient, auth: AuthActions, tree: dict[str, str], query: str
) -> None:
    auth.login_as("viewer", tree["commune_a"])
    assert client.get(f"/quan-ly/co-quan/{tree['commune_a']}{query}").status_code == 200


def test_comments_are_escaped_filtered_and_moderated(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    auth.login_as("manager", tree["province"])
    page = client.get(f"/quan-ly/co-quan/{tree['province']}/gop-y?lang=en").get_data(
        as_text=True
    )
    assert XSS not in page
    assert "&lt;script&gt;alert(" in page
    assert "Chờ quá lâu" in page
    only_land = client.get(
        f"/quan-ly/co-quan/{tree['province']}/gop-y?field=dat-dai"
    ).get_data(as_text=True)
    assert "Chờ quá lâu" in only_land and "&lt;script&gt;" not in only_land
    low = client.get(f"/quan-ly/co-quan/{tree['province']}/gop-y?low=1").get_data(
        as_text=True
    )
    assert "Chờ quá lâu" in low and "&lt;script&gt;" in low
    with app.app_context():
        comment_id = db.session.scalars(
            select(Comment.id).where(Comment.body == XSS)
        ).first()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    assert (
        client.post(
            f"/quan-ly/gop-y/{comment_id}/an",
            data={"csrf_token": token.group(1), "reason": "abusive", "confirm": "yes"},
        ).status_code
        == 302
    )
    with app.app_context():
        hidden = db.session.get(Comment, comment_id)
        assert hidden.hidden and hidden.body == XSS and hidden.hidden_at is not None
        assert db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "comment_hide")
        ).first()
    # Viewers no longer see it; managers see it marked.
    viewer = app.test_client()
    AuthActions(app, viewer).login_as("viewer", tree["province"])
    assert "&lt;script&gt;" not in viewer.get(
        f"/quan-ly/co-quan/{tree['province']}/gop-y"
    ).get_data(as_text=True)
    assert "hidden-comment" in client.get(
        f"/quan-ly/co-quan/{tree['province']}/gop-y"
    ).get_data(as_text=True)


def test_viewer_cannot_hide_comments(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    auth.login_as("viewer", tree["province"])
    with app.app_context():
        comment_id = db.session.scalars(select(Comment.id)).first()
    page = client.get(f"/quan-ly/co-quan/{tree['province']}/gop-y").get_data(
        as_text=True
    )
    assert "Reason for hiding" not in page and "Hide…" not in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    assert (
        client.post(
            f"/quan-ly/gop-y/{comment_id}/an",
            data={"csrf_token": token.group(1), "hidden": "1"},
        ).status_code
        == 403
    )


def test_no_responses_in_period(
    client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    auth.login_as("viewer", tree["commune_a"])
    response = client.get(
        f"/quan-ly/co-quan/{tree['commune_a']}?period=year&year=2019&lang=en"
    )
    assert response.status_code == 200
    assert "No responses in this period." in response.get_data(as_text=True)


def test_response_rate_from_dossier_counts(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    from surveyapp.models import Agency, DossierCount, ServiceField, get_by_code

    # Counts are monthly in local time, like the dashboard's periods.
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    with app.app_context():
        commune = get_by_code(Agency, tree["commune_a"])
        for code, dossiers in (("ho-tich", 300), ("dat-dai", 100)):
            field = get_by_code(ServiceField, code)
            db.session.add(
                DossierCount(
                    agency_id=commune.id,
                    service_field_id=field.id,
                    year=now.year,
                    month=now.month,
                    dossiers=dossiers,
                )
            )
        db.session.commit()
    auth.login_as("viewer", tree["commune_a"])
    html = client.get(f"/quan-ly/co-quan/{tree['commune_a']}?lang=en").get_data(
        as_text=True
    )
    # 40 responses over 400 dossiers.
    assert "Response rate: <strong>10.0\xa0%</strong>" in html


def test_the_month_so_far_is_marked_and_not_joined_to_the_trend(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    """The tree's responses are from today: this year's trend ends with the
    month so far, drawn apart and labelled with today's date."""
    auth.login_as("viewer", tree["province"])
    html = client.get(f"/quan-ly/co-quan/{tree['province']}").get_data(as_text=True)
    with app.app_context():
        today = local_today()
    last_day = (today + timedelta(days=1)).day == 1
    assert ('class="partial-month"' in html) is not last_day
    assert (f"đến {today:%d/%m}" in html) is not last_day
    past = client.get(
        f"/quan-ly/co-quan/{tree['province']}?period=year&year={today.year - 1}"
    ).get_data(as_text=True)
    assert 'class="partial-month"' not in past


def test_a_manager_s_404_speaks_to_managers_and_the_menu_leads_to_the_pages(
    client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    auth.login_as("manager", tree["commune_a"])
    missing = client.get(f"/quan-ly/co-quan/{tree['commune_b']}")
    html = missing.get_data(as_text=True)
    assert missing.status_code == 404
    assert "tài khoản này không được xem" in html
    assert "quét lại" not in html.lower() and "QR" not in html.split("<main")[1]
    page = client.get(f"/quan-ly/co-quan/{tree['commune_a']}").get_data(as_text=True)
    nav = page.split('class="manage-nav"')[1].split("</nav>")[0]
    for path in (
        f"/quan-ly/co-quan/{tree['commune_a']}/gop-y",
        f"/quan-ly/quay/{tree['commune_a']}",
        f"/quan-ly/bao-cao/{tree['commune_a']}",
    ):
        assert f'href="{path}"' in nav
        assert client.get(path).status_code == 200
    assert "/quan-ly/kiosk" not in nav, "administration is for admins"


def test_comments_found_without_accents_by_day_and_flag(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    """ "ho so" finds "hồ sơ"; days are local; flagged responses are marked and
    can be listed alone; each comment names its unit, counter and local time."""
    late = datetime(2025, 3, 31, 18, 30, tzinfo=ZoneInfo("UTC"))  # 1 April, 01:30
    with app.app_context():
        (flagged,) = add_responses(
            tree["counter_b"], [1], 1, submitted_at=late, comment="Hồ sơ bị trả lại"
        )
        db.session.execute(
            update(Response)
            .where(Response.id == flagged)
            .values(anomaly_state=AnomalyState.FLAGGED)
        )
        db.session.commit()
    auth.login_as("viewer", tree["province"])
    base = f"/quan-ly/co-quan/{tree['province']}/gop-y"
    found = client.get(f"{base}?q=ho+so+BI").get_data(as_text=True)
    assert "Hồ sơ bị trả lại" in found and "Chờ quá lâu" not in found
    assert "01/04/2025 01:30" in found and "Phường Bình Minh" in found
    assert "phản hồi bị gắn cờ bất thường" in found
    on_the_day = client.get(f"{base}?from=2025-04-01&to=2025-04-01").get_data(True)
    assert "Hồ sơ bị trả lại" in on_the_day
    day_before = client.get(f"{base}?from=2025-03-31&to=2025-03-31").get_data(True)
    assert "Hồ sơ bị trả lại" not in day_before, "31 March UTC is 1 April here"
    only_flagged = client.get(f"{base}?flagged=1").get_data(as_text=True)
    assert "Hồ sơ bị trả lại" in only_flagged and "Chờ quá lâu" not in only_flagged
    assert client.get(f"{base}?from=0001-01-01&q=%25").status_code == 200


def test_units_by_factor_heatmap_with_its_table(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    """A unit with children shows each child's factor indices twice: coloured
    cells (hidden from screen readers) and a table with the same numbers."""
    auth.login_as("viewer", tree["province"])
    html = client.get(f"/quan-ly/co-quan/{tree['province']}?lang=en").get_data(
        as_text=True
    )
    svg = re.search(r'<svg [^>]*class="chart heatmap".*?</svg>', html, re.S)
    assert svg and 'aria-hidden="true"' in svg.group(0)
    ElementTree.fromstring(svg.group(0))  # well-formed: every "<" escaped
    assert "style=" not in svg.group(0), "no inline styles under the CSP"
    table = html[html.index("Factor indices of each unit") :]
    table = table[: table.index("</table>")]
    names = re.findall(r'<th scope="row">([^<(]+)', table)
    assert names == ["Xã An Phú", "Phường Bình Minh"], "in ranking order"
    cells = re.findall(r"<td>\s*([^<]*?)\s*(?:<span|</td>)", table)
    assert len(cells) == 2 * 5
    shown = [c for c in cells if c != "—"]
    # Every number of the table is drawn in the heatmap, as the other charts
    # draw them (a decimal comma, no "%").
    drawn = re.findall(r">([\d,]+)\*?</text>", svg.group(0))
    assert [
        number.removesuffix("\xa0%").replace(".", ",") for number in shown
    ] == drawn[: len(shown)]
    assert shown, "the two communes have factor indices"


def test_a_unit_with_one_child_has_no_heatmap(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    auth.login_as("viewer", tree["commune_a"])
    html = client.get(f"/quan-ly/co-quan/{tree['commune_a']}").get_data(as_text=True)
    assert "heatmap" not in html


def test_answer_distribution_on_the_page_and_in_the_json(
    app: Flask, client: FlaskClient, auth: AuthActions, tree: dict[str, str]
) -> None:
    """Each answer 1..5 and "no opinion" counted per criterion, the same
    numbers in diem.json and in the page's table."""
    with app.app_context():
        add_responses(tree["counter_b"], [None, 4], 2)
    auth.login_as("viewer", tree["province"])
    data = client.get(f"/quan-ly/api/co-quan/{tree['province']}/diem.json").get_json()
    first = data["distribution"][0]
    # F1.1 of the tree: 5 from 30, 2 from 10, 3 from 28, 1 from 2; 2 no opinion.
    assert first["code"] == "F1.1"
    assert first["counts"] == {"1": 2, "2": 10, "3": 28, "4": 0, "5": 30}
    assert first["no_opinion"] == 2 and first["responses"] == 72
    assert first["shares"]["5"] == pytest.approx(30 / 72)
    assert len(data["distribution"]) == 16
    assert all(d["responses"] == 72 for d in data["distribution"])
    html = client.get(f"/quan-ly/co-quan/{tree['province']}?lang=en").get_data(
        as_text=True
    )
    table = html[html.index('class="data distribution"') :]
    table = table[: table.index("</table>")]
    row = table[table.index("A1.") :]
    row = row[: row.index("</tr>")]
    counts = [int(n) for n in re.findall(r'<td class="num">(\d+)<br>', row)]
    assert counts == [2, 10, 28, 0, 30, 2]
    assert 'aria-hidden="true"' in row and "style=" not in row
