"""The survey on a phone (390 px) in headless Chromium: answer by tapping, nothing spills, a second visit is
refused, and a tampered link says so."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from contactpunt.contacts.models import Queue
from contactpunt.feedback.models import Answer
from contactpunt.feedback.tests.data import invited
from contactpunt.people.models import User
from contactpunt.web.tests.browser import TIMEOUT_MS
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
