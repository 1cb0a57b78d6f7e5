"""The survey on a phone (390 px) in headless Chromium: answer by tapping, nothing spills, a second visit is
refused, and a tampered link says so. And the team lead's survey figures, whose slow analysis fills in by itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from contactpunt.contacts.models import Queue
from contactpunt.feedback.models import Answer
from contactpunt.feedback.tests.data import give_answers, invited
from contactpunt.kpis.models import SurveySnapshot
from contactpunt.people.models import User
from contactpunt.web.tests.browser import TIMEOUT_MS, login
from contactpunt.web.tests.layout import MAX_WORD, PROBLEMS_JS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def test_a_customer_answers_on_a_phone(server_url: str, browser: Any, email_queue: Queue, agent: User) -> None:
    # The link must be valid now (the server's clock): the case is from an hour ago.
    _, token = invited(email_queue, agent, timezone.now() - dt.timedelta(hours=1), "phone-1")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-NL", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{server_url}/feedback/s/{token}/")
    assert page.evaluate(PROBLEMS_JS, MAX_WORD) == []
    assert not Answer.objects.exists()
    page.click("#q-score label:has-text('3')")
    page.click("#q-solved label:has-text('Nee')")
    page.click("#q-effort label:has-text('6')")
    page.fill("#q-comment", "Ik moest drie keer bellen.")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Bedankt voor je antwoord")
    assert page.evaluate(PROBLEMS_JS, MAX_WORD) == []
    answer = Answer.objects.get()
    assert (answer.score, answer.solved, answer.effort, answer.comment) == (3, False, 6, "Ik moest drie keer bellen.")
    page.goto(f"{server_url}/feedback/s/{token}/")
    assert "U hebt deze enquête al ingevuld" in page.content()
    page.goto(f"{server_url}/feedback/s/{token[:-2]}zz/")
    assert "Deze enquêtelink is niet geldig" in page.content()
    assert Answer.objects.count() == 1


def test_the_team_lead_sees_the_page_at_once_and_the_driver_analysis_fills_in(  # noqa: PLR0917
    server_url: str, browser: Any, email_queue: Queue, agent: User, team_lead: User, t0: dt.datetime
) -> None:
    give_answers(email_queue, agent, t0, range(45))
    assert not SurveySnapshot.objects.exists()  # as right after a first start: nothing kept yet
    page = login(browser, server_url, team_lead.username)
    page.goto(f"{server_url}/feedback/?period=month&date=2026-03-02")
    # The placeholder asks for the analysis by itself; the table replaces it.
    page.wait_for_selector("table.drivers")
    page.wait_for_selector("text=FCR gemeten")
    assert page.locator("text=Deze analyse wordt berekend").count() == 0
    assert page.evaluate(PROBLEMS_JS, MAX_WORD) == []
    assert SurveySnapshot.objects.count() == 2
