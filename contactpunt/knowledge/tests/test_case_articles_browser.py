"""The agent's suggestions in headless Chromium: the case page suggests the articles that fit the case; "Insert
into reply" puts the public answer in the reply box, and the reply sent is linked to that article version."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from contactpunt.conftest import make_user
from contactpunt.contacts.models import Message
from contactpunt.contacts.tests.workspace_data import mail, skill
from contactpunt.knowledge.models import ArticleStatus, QuoteSent
from contactpunt.knowledge.services import ArticleFields, create_article, set_status
from contactpunt.people.models import Role
from contactpunt.web.tests.browser import login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # WhiteNoise hands static files to the ASGI handler as synchronous iterators.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def test_the_agent_inserts_a_suggested_article_and_the_reply_is_linked_to_its_version(
    server_url, browser, team, email_queue
):
    from playwright.sync_api import expect

    lead = make_user("lotte", Role.TEAM_LEAD, team)
    agent = make_user("anna", Role.AGENT, team)
    agent.skills.add(skill("nl"))
    email_queue.skills.add(skill("nl"))
    answer = "Klik op de inlogpagina op Wachtwoord vergeten; u krijgt binnen vijf minuten een link."
    article = create_article(by=lead, values=ArticleFields("Wachtwoord vergeten", answer))
    set_status(by=lead, article=article, status=ArticleStatus.REVIEW)
    article = set_status(by=lead, article=article, status=ArticleStatus.PUBLISHED)
    create_article(
        by=lead,
        values=ArticleFields("Protocol: wachtwoord resetten", "Controleer eerst de identiteit.", audience="internal"),
        status=ArticleStatus.PUBLISHED,
    )
    case = mail(email_queue, timezone.now() - dt.timedelta(hours=1), "m1", subject="Wachtwoord vergeten")

    page = login(browser, server_url, "anna", next_url=f"/workspace/cases/{case.pk}/")
    suggestions = page.locator("#case-articles .case-articles > li")
    expect(suggestions).to_have_count(2)  # the public answer and the internal protocol
    expect(page.locator("#case-articles [data-insert-article]")).to_have_count(1)  # only the public one inserts
    public = suggestions.filter(has_text="Wachtwoord vergeten")
    public.locator("summary").click()
    public.get_by_role("button", name="In antwoord invoegen").click()
    expect(page.locator("#reply-body")).to_have_value(answer)
    expect(page.locator("#reply-articles")).to_have_value(f"{article.pk}:{article.version}")
    screenshot(page, full_page=False, name="case-article-inserted.png")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".toast-success")).to_have_text("Antwoord staat klaar om te versturen.")
    reply = Message.objects.get(case=case, direction="outbound")
    assert reply.text == answer
    assert list(QuoteSent.objects.values_list("message_id", "article_id", "version")) == [
        (reply.pk, article.pk, article.version)
    ]
