"""The staff's knowledge pages: who sees what, writing and reviewing, what changed this week, the figures."""

import datetime as dt

import pytest
import time_machine

from contactpunt.conftest import make_user
from contactpunt.contacts.models import ResponseTemplate
from contactpunt.knowledge import stats
from contactpunt.knowledge.models import Article, ArticleStatus, ChangesRead, UsageEvent, UsageKind
from contactpunt.knowledge.quotes import quote_article
from contactpunt.knowledge.services import ArticleFields, create_article, set_status, update_article
from contactpunt.people.models import Role

T0 = dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC)  # a Wednesday


def published(by, title, body, **extra) -> Article:
    article = create_article(by=by, values=ArticleFields(title, body, **extra), at=T0)
    set_status(by=by, article=article, status=ArticleStatus.REVIEW, at=T0)
    return set_status(by=by, article=article, status=ArticleStatus.PUBLISHED, at=T0)


@pytest.mark.django_db
def test_agents_read_published_articles_and_leads_write_them(client, agent, team_lead):
    published(team_lead, "Intern protocol storing", "Bel de monteur.", audience="internal")
    create_article(by=team_lead, values=ArticleFields("Concept opzeggen", "Nog niet klaar."))
    client.force_login(agent)
    page = client.get("/knowledge/").content.decode()
    assert "Intern protocol storing" in page and "Concept opzeggen" not in page
    assert client.get("/knowledge/new/").status_code == 403
    client.force_login(team_lead)
    assert "Concept opzeggen" in client.get("/knowledge/").content.decode()
    form = {"title": "Verhuizen", "body": "Geef uw nieuwe adres door.", "language": "nl", "kind": "faq",
            "audience": "public"}  # fmt: skip
    response = client.post("/knowledge/new/", form)
    assert response.status_code == 303
    article = Article.objects.get(title="Verhuizen")
    client.post(
        f"/knowledge/articles/{article.pk}/edit/", form | {"body": "Geef uw adres door in de app.", "note": "app"}
    )
    client.post(f"/knowledge/articles/{article.pk}/status/", {"status": "review"})
    page = client.get(f"/knowledge/articles/{article.pk}/").content.decode()
    assert "+Geef uw adres door in de app." in page and "app" in page
    assert Article.objects.get(pk=article.pk).status == ArticleStatus.REVIEW
    bad = client.post("/knowledge/new/", form | {"audience": "account_group", "account_group": ""})
    assert bad.status_code == 400 and Article.objects.count() == 3


@pytest.mark.django_db
def test_what_changed_this_week_shows_blocked_templates_with_the_new_text_and_who_read_it(client, agent, team_lead):
    article = published(team_lead, "Welkomstcadeau", "Nieuwe inwoners krijgen een bon.")
    template = ResponseTemplate.objects.create(name="Welkom", text="U krijgt een bon.")
    quote_article(by=team_lead, template=template, article=article)
    with time_machine.travel(T0, tick=False):
        update_article(by=team_lead, article=article, values=ArticleFields("Welkomstcadeau", "Het cadeau is gestopt."))
        client.force_login(agent)
        page = client.get("/knowledge/changes/").content.decode()
        assert "Het cadeau is gestopt." in page and "Welkom" in page
        client.post("/knowledge/changes/read/")
        assert ChangesRead.objects.filter(user=agent, week=dt.date(2026, 3, 2)).exists()
        manager = make_user("mia", Role.MANAGER)
        client.force_login(manager)
        assert agent.display_name in client.get("/knowledge/changes/").content.decode()


@pytest.mark.django_db
def test_deflection_three_ways():
    def event(visitor, kind, minutes, **extra) -> None:
        UsageEvent.objects.create(visitor=visitor, kind=kind, at=T0 + dt.timedelta(minutes=minutes), **extra)

    event("a" * 32, UsageKind.SEARCH, 0, query="wachtwoord", results=2)
    event("a" * 32, UsageKind.SUGGESTED, 1, query="wachtwoord", results=2)
    event("b" * 32, UsageKind.SEARCH, 0, query="hypotheek", results=0)
    event("b" * 32, UsageKind.SUGGESTED, 1, query="hypotheek", results=3)
    event("b" * 32, UsageKind.CONTACT, 60 * 71)  # within 72 hours: not deflected
    event("c" * 32, UsageKind.SUGGESTED, 1, held_out=True)
    event("c" * 32, UsageKind.CONTACT, 5, held_out=True)
    figures = stats.usage(start=T0, end=T0 + dt.timedelta(days=1))
    assert (figures.portal.deflected, figures.portal.total) == (1, 2)
    assert (figures.suggestions.deflected, figures.suggestions.total) == (1, 2)
    assert (figures.contact_rate_shown.rate, figures.contact_rate_held_out.rate) == (0.5, 1.0)
    assert figures.hold_out_difference == 0.5
    assert figures.without_result == [("hypotheek", 1)] and figures.without_click == [("wachtwoord", 1)]


@pytest.mark.django_db
def test_the_case_page_suggests_articles_internal_ones_included(client, agent, team_lead, email_queue):
    from contactpunt.contacts.tests.workspace_data import mail

    published(team_lead, "Wachtwoord herstellen", "Klik op Wachtwoord vergeten.")
    published(team_lead, "Protocol: wachtwoord resetten voor een klant", "Controleer eerst de identiteit.",
              audience="internal")  # fmt: skip
    published(team_lead, "Factuur downloaden", "Uw facturen staan online.")
    case = mail(email_queue, T0, "k1", sender="klant@example.nl", name="Karin Klant", subject="wachtwoord vergeten")
    client.force_login(agent)
    page = client.get(f"/knowledge/cases/{case.pk}/suggestions/").content.decode()
    assert "Wachtwoord herstellen" in page and "Protocol: wachtwoord resetten" in page and "Factuur" not in page
    assert page.count("data-insert-article=") == 1  # the public answer, never the internal protocol
    assert 'hx-get="/knowledge/cases/' in client.get(f"/workspace/cases/{case.pk}/").content.decode()


@pytest.mark.django_db
def test_an_owner_is_shown_their_articles_past_the_review_date(client, team_lead):
    article = published(
        team_lead, "Tarieven 2025", "De tarieven van 2025.", owner=team_lead, review_by=dt.date(2026, 1, 1)
    )
    published(team_lead, "Tarieven 2026", "De tarieven van 2026.", owner=team_lead, review_by=dt.date(2026, 12, 31))
    client.force_login(team_lead)
    with time_machine.travel(T0, tick=False):
        page = client.get("/knowledge/").content.decode()
        detail = client.get(f"/knowledge/articles/{article.pk}/").content.decode()
    alert = page.split('role="alert" class="form-errors"')[1].split("</div>")[0]
    assert "Tarieven 2025" in alert and "Tarieven 2026" not in alert
    assert "sla-overdue" in detail


@pytest.mark.django_db
def test_the_case_page_marks_a_suggested_article_whose_review_is_overdue(client, agent, team_lead, email_queue):
    from contactpunt.contacts.tests.workspace_data import mail

    published(team_lead, "Wachtwoord herstellen", "Klik op Wachtwoord vergeten.", review_by=dt.date(2026, 3, 1))
    published(team_lead, "Wachtwoord wijzigen", "Wijzig het in Mijn Omgeving.", review_by=dt.date(2026, 6, 1))
    case = mail(email_queue, T0, "k1", sender="klant@example.nl", name="Karin Klant", subject="wachtwoord")
    client.force_login(agent)
    with time_machine.travel(T0, tick=False):
        page = client.get(f"/knowledge/cases/{case.pk}/suggestions/").content.decode()
    items = {item.split("</a>")[0].rsplit(">", 1)[-1]: item for item in page.split("<li>")[1:]}
    assert "sla-overdue" in items["Wachtwoord herstellen"] and "sla-overdue" not in items["Wachtwoord wijzigen"]
