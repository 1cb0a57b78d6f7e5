"""The public portal: search and reads counted, votes with "what was missing", the contact form with the read
articles attached to the contact, suggestions withheld from the hold-out."""

import pytest
from django.test import Client

from contactpunt.channels.webform.forms import new_key
from contactpunt.contacts.models import Contact
from contactpunt.knowledge import usage
from contactpunt.knowledge.importing import load_published
from contactpunt.knowledge.models import Article, PortalContact, UsageEvent, UsageKind

pytestmark = pytest.mark.django_db

ROWS = [
    {"article_id": "kb-1", "title": "Wachtwoord herstellen", "body": "Klik op Wachtwoord vergeten.", "language": "nl",
     "category": "Inloggen"},
    {"article_id": "kb-2", "title": "Wachtwoord wijzigen", "body": "Wijzig uw wachtwoord in Mijn Omgeving.",
     "language": "nl", "category": "Inloggen"},
    {"article_id": "kb-3", "title": "Factuur downloaden", "body": "Uw facturen staan als pdf online.", "language": "nl",
     "category": "Betalen"},
    {"article_id": "kb-4", "title": "Intern: wachtwoord resetten", "body": "Protocol.", "language": "nl",
     "audience": "internal"},
]  # fmt: skip


@pytest.fixture
def articles():
    load_published(ROWS)
    return {a.external_id: a for a in Article.objects.all()}


def test_home_lists_topics_and_counts_searches_with_and_without_results(articles):
    client = Client()
    page = client.get("/help/").content.decode()
    assert "Inloggen" in page and "Betalen" in page
    found = client.get("/help/", {"q": "wachtwoordherstel"}).content.decode()
    assert "Wachtwoord herstellen" in found and "Intern" not in found
    client.get("/help/", {"q": "hypotheek"})
    searches = UsageEvent.objects.filter(kind=UsageKind.SEARCH).order_by("id").values_list("query", "results")
    assert list(searches) == [("wachtwoordherstel", 2), ("hypotheek", 0)]


def test_internal_articles_are_not_public(articles):
    assert Client().get(f"/help/a/{articles['kb-4'].pk}/").status_code == 404
    assert Client().get("/help/a/abc/").status_code == 404


def test_article_page_counts_the_read_shows_related_and_takes_a_vote(articles):
    client = Client()
    page = client.get(f"/help/a/{articles['kb-1'].pk}/").content.decode()
    assert "Klik op Wachtwoord vergeten." in page and "Wachtwoord wijzigen" in page  # related
    response = client.post(
        f"/help/a/{articles['kb-1'].pk}/vote/", {"helpful": "no", "missing": "Geen e-mail ontvangen"}
    )
    assert response.status_code == 303
    client.post(f"/help/a/{articles['kb-1'].pk}/vote/", {"helpful": "no", "missing": "Nog steeds geen e-mail"})
    votes = UsageEvent.objects.filter(kind=UsageKind.VOTE).values_list("helpful", "missing")
    assert list(votes) == [(False, "Nog steeds geen e-mail")]  # voting again replaces
    assert client.post(f"/help/a/{articles['kb-1'].pk}/vote/", {"helpful": "maybe"}).status_code == 400
    assert UsageEvent.objects.filter(kind=UsageKind.VIEW, article=articles["kb-1"]).count() == 1


def test_contact_form_attaches_the_articles_read(articles, django_capture_on_commit_callbacks):
    client = Client()
    client.get(f"/help/a/{articles['kb-1'].pk}/")
    client.get(f"/help/a/{articles['kb-3'].pk}/")
    page = client.get("/help/contact/").content.decode()
    assert "Wachtwoord herstellen" in page and "Factuur downloaden" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/help/contact/",
            {
                "name": "Sanne de Vries",
                "email": "sanne@example.nl",
                "subject": "Geen herstelmail",
                "message": "Ik krijg geen e-mail om mijn wachtwoord te herstellen.",
                "key": new_key(),
            },
        )
    assert response.status_code == 303
    link = PortalContact.objects.get()
    assert sorted(str(pk) for pk in link.articles.values_list("external_id", flat=True)) == ["kb-1", "kb-3"]
    contact = Contact.objects.get(pk=link.contact_id)
    assert contact.channel == "webform"
    # The confirmation gives the customer the case's reference, as the web form's own does; a tampered one gives none.
    sent = client.get(response["Location"]).content.decode()
    assert f"[CP-{contact.case_id}]" in sent
    assert "CP-" not in client.get(response["Location"][:-3] + "xyz").content.decode()


def test_a_bad_contact_form_names_the_field(articles):
    response = Client().post("/help/contact/", {"name": "", "email": "geen-adres", "subject": "x", "message": "y"})
    assert response.status_code == 400
    assert "E-mailadres" in response.content.decode() or "Email address" in response.content.decode()
    assert not PortalContact.objects.exists()


def test_suggestions_while_typing_except_for_the_hold_out(articles, settings):
    client = Client()
    settings.KNOWLEDGE_HOLDOUT_PERCENT = 0
    assert "Wachtwoord herstellen" in client.get("/help/suggest/", {"subject": "wachtwoord vergeten"}).content.decode()
    settings.KNOWLEDGE_HOLDOUT_PERCENT = 100
    assert "Wachtwoord" not in client.get("/help/suggest/", {"subject": "wachtwoord vergeten"}).content.decode()
    assert list(
        UsageEvent.objects.filter(kind=UsageKind.SUGGESTED).order_by("id").values_list("held_out", "results")
    ) == [
        (False, 2),
        (True, 0),
    ]


def test_the_hold_out_is_a_stable_tenth():
    held = sum(usage.is_held_out(f"{n:032x}") for n in range(5000))
    assert 400 < held < 600
    assert usage.is_held_out("0" * 32) == usage.is_held_out("0" * 32)


def test_the_articles_read_are_in_the_export_and_gone_after_erasure(articles, django_capture_on_commit_callbacks):
    """The knowledge part of export and erasure (the whole erasure, with its checkpoint of the database file, is
    tested in contacts/tests/test_erasure_leaves_no_trace.py; here its registered sections run directly)."""
    from contactpunt.contacts import announcements
    from contactpunt.contacts import privacy as customer_privacy
    from contactpunt.customers.models import Customer
    from contactpunt.knowledge import privacy

    client = Client()
    client.get(f"/help/a/{articles['kb-1'].pk}/")
    form = {"name": "Sanne de Vries", "email": "sanne@example.nl", "subject": "Hulp", "message": "Hallo"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/help/contact/", form | {"key": new_key()})
    customer = Customer.objects.get()
    exported = privacy.export(customer_privacy.customer_scope(customer.pk))
    assert exported["portal_contacts"][0]["articles_read"] == [
        {"id": articles["kb-1"].pk, "title": "Wachtwoord herstellen"}
    ]
    privacy.erase(announcements.Message(announcements.Announcement.CUSTOMER_ERASED, {"customer_id": customer.pk}))
    assert not PortalContact.objects.exists()
    assert not UsageEvent.objects.exclude(visitor="").exists()


def test_an_english_visitor_still_finds_the_dutch_articles_when_there_are_no_english_ones(articles):
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/help/", {"q": "wachtwoord"}).content.decode()
    assert "Wachtwoord herstellen" in page


def test_the_help_pages_carry_the_organisations_name_and_colour(articles, settings):
    settings.PORTAL_NAME = "Gemeente Voorbeeld"
    settings.PORTAL_COLOUR = "#aa3300"
    client = Client()
    home = client.get("/help/").content.decode()
    assert "<strong>Gemeente Voorbeeld</strong>" in home and "<title>Hulp en antwoorden · Gemeente Voorbeeld" in home
    assert 'href="/help/brand.css"' in home
    page = client.get(f"/help/a/{articles['kb-1'].pk}/").content.decode()
    assert "<strong>Gemeente Voorbeeld</strong>" in page and "<strong>Contactpunt</strong>" not in page
    css = client.get("/help/brand.css")
    assert css["Content-Type"] == "text/css; charset=utf-8"
    assert "--pico-primary: #aa3300;" in css.content.decode()
    settings.PORTAL_NAME = ""
    settings.PORTAL_COLOUR = ""
    assert "<strong>Contactpunt</strong>" in client.get("/help/").content.decode()
    assert client.get("/help/brand.css").content == b""


def test_an_article_links_to_its_translation_on_the_portal_and_for_staff(articles, team_lead):
    from contactpunt.knowledge.services import ArticleFields, create_article

    dutch = articles["kb-1"]
    english = create_article(
        by=team_lead,
        values=ArticleFields("Reset your password", "Click Forgot password.", language="en", translation_of=dutch),
        status="published",
    )
    draft = create_article(
        by=team_lead, values=ArticleFields("Passwort", "Entwurf.", language="en", translation_of=dutch)
    )  # a draft: not on the portal
    client = Client()
    page = client.get(f"/help/a/{dutch.pk}/").content.decode()
    assert f'href="/help/a/{english.pk}/" hreflang="en"' in page and "Read this in English" in page
    assert f"/help/a/{draft.pk}/" not in page
    back = client.get(f"/help/a/{english.pk}/").content.decode()
    assert f'href="/help/a/{dutch.pk}/" hreflang="nl"' in back and "Lees dit in het Nederlands" in back
    staff = Client()
    staff.force_login(team_lead)
    shown = staff.get(f"/knowledge/articles/{dutch.pk}/").context["translations"]
    assert sorted(a.pk for a in shown) == sorted([english.pk, draft.pk])  # staff see the draft too
