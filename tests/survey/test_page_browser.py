"""The survey page on a 360 x 740 phone in Chromium: progress, the scale, listening,
one POST per submission, and the weight of it all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.accessibility.test_browser import violations
from tests.conftest import LiveServer
from tests.factories import SurveySite, make_site
from tests.helpers import survey_path
from tests.survey.test_browser import response_count

pytestmark = pytest.mark.browser
# The text of an element is laid out on a single line.
ONE_LINE = """e => { const text = document.createRange(); text.selectNodeContents(e);
  return text.getClientRects().length === 1; }"""
PHONE = {"width": 360, "height": 740}
SEND = "Gửi đánh giá"
# A phone with a Vietnamese voice: speechSynthesis as the page sees it, keeping
# what it is asked to say.
FAKE_VOICE = """
window.spoken = [];
const voices = [{lang: "en-US", name: "English"}, {lang: "vi-VN", name: "Linh"}];
const synth = new EventTarget();
synth.getVoices = () => voices;
synth.cancel = () => {};
synth.speak = (utterance) => window.spoken.push([utterance.text, utterance.lang]);
Object.defineProperty(window, "speechSynthesis", {value: synth});
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
"""


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    yield context
    context.close()


@pytest.fixture
def longest(app: Flask) -> str:
    """A counter whose survey is sipas-2017: 22 items in 5 parts."""
    with app.app_context():
        return make_site("U", "sipas-2017").counter


class Traffic:
    """The page's POSTs and thank-you page loads, as Chromium sends them."""

    def __init__(self, page: Any) -> None:
        self.posts: list[str] = []
        self.thanks: list[str] = []
        page.on("request", self.seen)

    def seen(self, request: Any) -> None:
        if request.method == "POST":
            self.posts.append(request.url)
        elif "/cam-on" in request.url:
            self.thanks.append(request.url)


def test_one_post_per_submission_with_errors_then_thanks(
    app: Flask, live_server: LiveServer, site: SurveySite, context: Any
) -> None:
    page = context.new_page()
    traffic = Traffic(page)
    url = live_server.url + survey_path(app, site.counter)
    page.goto(url)
    page.locator("#c_A1 label[for$='-4']").click()
    page.get_by_role("button", name=SEND).click()
    page.locator("#form-errors").wait_for()
    assert traffic.posts == [url]
    # The error summary has the focus and leads to the item it speaks of.
    assert page.evaluate("document.activeElement.id") == "form-errors"
    assert page.locator("#service_field").get_attribute("aria-invalid") == "true"
    assert page.locator("#c_A1-4").is_checked()  # the answers are kept
    page.locator("#form-errors a[href='#service_field']").click()
    assert page.evaluate("location.hash") == "#service_field"

    page.select_option("#service_field", "ho-tich")
    page.get_by_role("button", name=SEND).click()
    page.wait_for_url("**/cam-on*")
    page.get_by_role("heading", name="Cảm ơn ông/bà!").wait_for()
    assert traffic.posts == [url, url]
    assert len(traffic.thanks) == 1
    assert response_count(app) == 1


def test_offline_answers_are_posted_once_when_back_online(
    app: Flask, live_server: LiveServer, site: SurveySite, context: Any
) -> None:
    page = context.new_page()
    traffic = Traffic(page)
    page.goto(live_server.url + survey_path(app, site.counter))
    context.set_offline(True)
    page.select_option("#service_field", "ho-tich")
    page.locator("#c_A1 label[for$='-5']").click()
    page.get_by_role("button", name=SEND).click()
    page.locator("#offline-status").wait_for()
    context.set_offline(False)
    page.get_by_role("status").filter(has_text="đã được gửi").wait_for()
    assert traffic.posts == [live_server.url + "/api/v1/responses"]
    assert response_count(app) == 1


def test_progress_follows_the_answers(
    app: Flask, live_server: LiveServer, longest: str, context: Any
) -> None:
    page = context.new_page()
    page.goto(live_server.url + survey_path(app, longest))
    bar = page.get_by_role("progressbar", name="Số câu đã trả lời")
    assert bar.is_visible()
    assert bar.get_attribute("aria-valuemax") == "22"
    assert bar.get_attribute("aria-valuenow") == "0"
    for item in ("c_I1", "c_I2", "c_III4"):
        page.locator(f"#{item} label[for$='-3']").click()
    page.locator("#c_I1 label[for$='-5']").click()  # a change of mind
    page.locator("#c_II1 label.na").click()
    assert bar.get_attribute("aria-valuenow") == "4"
    assert bar.inner_text() == "4/22"
    page.locator("#c_V4").scroll_into_view_if_needed()
    assert bar.is_visible()  # kept in sight all the way down
    assert bar.bounding_box()["y"] == 0


def test_without_javascript_each_part_says_where_one_is(
    app: Flask, live_server: LiveServer, longest: str, browser: Any
) -> None:
    context = browser.new_context(
        viewport=PHONE, locale="vi-VN", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(live_server.url + survey_path(app, longest))
    assert page.get_by_role("progressbar").count() == 0  # hidden: nothing follows it
    assert page.get_by_role("heading", name="Phần 2/5").is_visible()
    assert page.locator(".part").all_inner_texts() == [
        f"Phần {n}/5" for n in range(1, 6)
    ]
    context.close()


def test_scale_words_are_14px_and_fit_the_phone(
    app: Flask, live_server: LiveServer, longest: str, context: Any
) -> None:
    page = context.new_page()
    page.goto(live_server.url + survey_path(app, longest))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    words = page.locator("#c_I1 .scale span, #c_I1 label.na")
    shown = [w for w in words.all() if w.bounding_box()["width"] > 1]
    assert [w.inner_text() for w in shown] == [
        "Rất không hài lòng",
        "Rất hài lòng",
        "Không có ý kiến / không áp dụng",
    ]
    for word in shown:
        box = word.bounding_box()
        size = float(word.evaluate("e => getComputedStyle(e).fontSize")[:-2])
        assert size >= 14
        assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"]
        assert word.evaluate(ONE_LINE), word.inner_text()
    # Each point is still named in full for a screen reader.
    assert page.get_by_role("radio", name="3 Bình thường").count() == 22


def test_legends_sit_inside_their_cards(
    app: Flask, live_server: LiveServer, site: SurveySite, context: Any
) -> None:
    page = context.new_page()
    page.goto(live_server.url + survey_path(app, site.counter))
    for item in page.locator("fieldset.rating").all()[:3]:
        card = item.bounding_box()
        legend = item.locator("legend").bounding_box()
        assert legend["y"] > card["y"] + 2  # below the top border, not on it
        assert legend["x"] > card["x"]


def test_listen_stays_hidden_without_a_voice(
    app: Flask, live_server: LiveServer, site: SurveySite, context: Any
) -> None:
    page = context.new_page()
    page.goto(live_server.url + survey_path(app, site.counter))
    page.wait_for_load_state("networkidle")
    assert page.locator(".listen").count() == 0
    assert page.locator("form.can-listen").count() == 0


def test_listen_reads_the_question_with_the_phones_voice(
    app: Flask, live_server: LiveServer, site: SurveySite, context: Any
) -> None:
    context.add_init_script(FAKE_VOICE)
    page = context.new_page()
    page.goto(live_server.url + survey_path(app, site.counter))
    listen = page.locator("#c_A2").get_by_role("button", name="Nghe")
    listen.click()
    question = (
        "2. Có đủ ghế ngồi chờ, ghế ngồi giải quyết công việc và bàn viết"
        " cho người dân."
    )
    assert page.evaluate("window.spoken") == [[question, "vi-VN"]]
    # Screen readers hear which question each "Nghe" reads.
    described = listen.evaluate(
        "b => document.getElementById(b.getAttribute('aria-describedby')).textContent"
    )
    assert described == question
    assert page.get_by_role("button", name="Nghe").count() == 16
    # Shown after an error too: the form the server sent back is set up again.
    page.get_by_role("button", name=SEND).click()
    page.locator("#form-errors").wait_for()
    assert page.get_by_role("button", name="Nghe").count() == 16
    assert violations(page) == []


def test_listen_needs_a_voice_in_the_pages_language(
    app: Flask, live_server: LiveServer, site: SurveySite, context: Any
) -> None:
    context.add_init_script(FAKE_VOICE.replace('lang: "en-US"', 'lang: "fr-FR"'))
    page = context.new_page()
    page.goto(live_server.url + survey_path(app, site.counter) + "?lang=en")
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("button", name="Listen").count() == 0


def test_longest_survey_weighs_under_budget(
    app: Flask, live_server: LiveServer, longest: str, context: Any
) -> None:
    done: list[Any] = []
    context.on("requestfinished", lambda request: done.append(request))
    page = context.new_page()
    page.goto(live_server.url + survey_path(app, longest))
    page.wait_for_load_state("networkidle")
    # What went over the wire for the page, what it loads and the service
    # worker (whose copies of CSS and JS come from the HTTP cache): the encoded
    # size, or the body's when larger, as for the worker's script, whose encoded
    # size Chromium does not tell.
    sizes = {
        r.url: max(r.sizes()["responseBodySize"], len(r.response().body()))
        for r in done
        if not (r.service_worker and r.resource_type == "fetch")
    }
    assert len(sizes) <= 5, sizes
    assert sum(sizes.values()) <= 50_000, sizes


def test_error_and_thank_you_pages_with_next_steps_pass_axe(
    app: Flask, live_server: LiveServer, site: SurveySite, context: Any
) -> None:
    app.config["FEEDBACK_HOTLINE"] = "1900 1234"
    page = context.new_page()
    page.goto(live_server.url + survey_path(app, site.counter))
    page.select_option("#service_field", "ho-tich")
    page.get_by_role("button", name=SEND).click()  # nothing rated
    page.locator("#ratings.has-error").wait_for()
    assert violations(page) == []
    page.locator("#c_A1 label[for$='-2']").click()
    page.get_by_role("button", name=SEND).click()
    page.get_by_role("link", name="1900 1234").wait_for()
    assert page.evaluate("document.activeElement.textContent") == "Cảm ơn ông/bà!"
    assert violations(page) == []
