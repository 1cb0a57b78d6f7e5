"""Growing contact reasons that no article for customers answers are flagged to the knowledge owners, with the
article search finds for the reason; a public or account-group article naming the reason (or its parent) covers
it, an internal one or a draft does not. Data through the services: contacts received and wrapped up."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from contactpunt.conftest import make_user
from contactpunt.contacts.models import Channel, ContactReason, Queue
from contactpunt.insights.tests.helpers import receive_texts, wrap
from contactpunt.insights.weekly import growing_reasons
from contactpunt.knowledge import coverage, services
from contactpunt.knowledge.models import ArticleStatus, Audience
from contactpunt.knowledge.services import ArticleFields
from contactpunt.people.models import Role

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 4)  # a Wednesday: the week of 2 to 8 March, against 23 February to 1 March


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@pytest.fixture
def world(team, department):
    queue = Queue.objects.create(code="mail", name="Mail", channel=Channel.EMAIL, department=department)
    agent = make_user("anna", Role.AGENT, team)
    lead = make_user("lead", Role.TEAM_LEAD, team)
    invoice = ContactReason.objects.create(code="invoice", name="Factuur")
    reasons = {
        "delivery": ContactReason.objects.create(code="delivery", name="Bezorging"),
        "lost-invoice": ContactReason.objects.create(code="lost-invoice", name="Factuur kwijt", parent=invoice),
        "password": ContactReason.objects.create(code="password", name="Wachtwoord"),
        "greeting": ContactReason.objects.create(code="greeting", name="Felicitatie"),
    }
    # this week and the week before, per reason: delivery, the lost invoice and the password grow; greetings do not
    for code, now, before in (("delivery", 7, 1), ("lost-invoice", 6, 0), ("password", 5, 1), ("greeting", 5, 4)):
        for contact in receive_texts(queue, [f"{code} {n}" for n in range(now)], at(DAY)):
            wrap(contact, agent, reasons[code])
        for contact in receive_texts(queue, [f"{code} {n}" for n in range(before)], at(DAY - dt.timedelta(days=7))):
            wrap(contact, agent, reasons[code])

    def publish(title: str, audience: str = Audience.PUBLIC, status: str = ArticleStatus.PUBLISHED, names=()):
        article = services.create_article(
            by=lead, values=ArticleFields(title=title, body=title, audience=audience, owner=lead), status=status
        )
        services.set_reasons(by=lead, article=article, reasons=names)
        return article

    articles = {
        "invoice": publish("Uw factuur opvragen", names=[invoice]),  # covers the child reason "Factuur kwijt"
        "delivery": publish("Bezorging van uw kaart"),  # found for "Bezorging", but does not name it
        "password": publish("Wachtwoord resetten", Audience.INTERNAL, names=[reasons["password"]]),
        "draft": publish("Wachtwoord vergeten", status=ArticleStatus.DRAFT, names=[reasons["password"]]),
    }
    return reasons, articles, lead, agent


def test_growing_reasons_follow_the_weekly_rule(world):
    reasons, *_ = world
    assert growing_reasons(DAY) == [
        (reasons["delivery"].pk, 7, 1),  # growth 6, the same as the lost invoice's: the older reason first
        (reasons["lost-invoice"].pk, 6, 0),
        (reasons["password"].pk, 5, 1),
    ]


def test_only_a_published_article_for_customers_covers_a_reason(world):
    _reasons, articles, _lead, _agent = world
    found = [(row.reason.code, row.count, row.previous) for row in coverage.uncovered_growing(DAY)]
    assert found == [("delivery", 7, 1), ("password", 5, 1)]  # the internal article and the draft do not count
    candidates = {row.reason.code: row.candidate for row in coverage.uncovered_growing(DAY)}
    assert candidates["delivery"] == articles["delivery"]


def test_naming_the_reason_in_the_article_clears_the_flag(world):
    reasons, articles, lead, _agent = world
    services.set_reasons(by=lead, article=articles["delivery"], reasons=[reasons["delivery"]])
    assert [row.reason.code for row in coverage.uncovered_growing(DAY)] == ["password"]


def test_the_knowledge_owners_see_the_flag_on_the_knowledge_page_and_agents_do_not(world, monkeypatch):
    _reasons, articles, lead, agent = world
    monkeypatch.setattr("contactpunt.knowledge.staff._today", lambda: DAY)
    owner = Client()
    owner.force_login(lead)
    page = owner.get("/knowledge/").content.decode()
    assert "Groeiende contactredenen waar geen artikel antwoord op geeft" in page
    assert "Bezorging: 7 contacten, 1 de week ervoor" in page
    assert f'/knowledge/articles/{articles["delivery"].pk}/">Bezorging van uw kaart</a>' in page
    assert "Factuur kwijt" not in page
    reader = Client()
    reader.force_login(agent)
    assert "Groeiende contactredenen" not in reader.get("/knowledge/").content.decode()


def test_the_article_form_names_the_reasons(world):
    reasons, articles, lead, _agent = world
    owner = Client()
    owner.force_login(lead)
    article = articles["delivery"]
    form = {
        "title": article.title, "body": article.body, "language": "nl", "kind": "faq", "audience": "public",
        "reasons": [reasons["delivery"].pk], "note": "reden genoemd",
    }  # fmt: skip
    assert owner.post(f"/knowledge/articles/{article.pk}/edit/", form).status_code == 303
    assert list(article.reasons.values_list("code", flat=True)) == ["delivery"]
    assert (
        "Contactredenen waarop het antwoord geeft: Bezorging"
        in owner.get(f"/knowledge/articles/{article.pk}/").content.decode()
    )
