"""Suggestions in the chat widget: the public articles for what the visitor types, asked across origins by the
widget with its own visitor id, counted like the web form's, withheld from the hold-out; a chat that follows counts
as a contact after the suggestions in the deflection figures."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from contactpunt.channels.webchat.services import post_message
from contactpunt.contacts.models import Channel, Queue
from contactpunt.knowledge import stats
from contactpunt.knowledge.importing import load_published
from contactpunt.knowledge.models import Article, PortalContact, UsageEvent, UsageKind

pytestmark = pytest.mark.django_db

VISITOR = "0123456789abcdef0123456789abcdef"
SHOP = "https://kaartenwinkel.example"


@pytest.fixture
def articles(settings):
    settings.WEBCHAT_ALLOWED_ORIGINS = [SHOP]
    load_published(
        [
            {"article_id": "kb-1", "title": "Wachtwoord herstellen", "body": "Klik op Wachtwoord vergeten.",
             "language": "nl"},
            {"article_id": "kb-2", "title": "Wachtwoord wijzigen", "body": "Wijzig uw wachtwoord.", "language": "nl"},
            {"article_id": "kb-3", "title": "Intern: wachtwoord resetten", "body": "Protocol.", "language": "nl",
             "audience": "internal"},
        ]
    )  # fmt: skip
    return {a.external_id: a for a in Article.objects.all()}


def ask(query: str, *, visitor: str = VISITOR, origin: str = SHOP):
    return Client().get("/help/suggest/widget/", {"q": query, "visitor": visitor, "lang": "nl"}, HTTP_ORIGIN=origin)


def test_the_widget_gets_the_public_articles_across_origins_and_they_are_counted(articles, settings):
    settings.KNOWLEDGE_HOLDOUT_PERCENT = 0
    response = ask("wachtwoord vergeten")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SHOP
    found = response.json()["articles"]
    assert [a["title"] for a in found] == ["Wachtwoord herstellen", "Wachtwoord wijzigen"]
    assert found[0]["url"] == f"http://testserver/help/a/{articles['kb-1'].pk}/"
    assert list(UsageEvent.objects.values_list("visitor", "kind", "query", "results", "held_out")) == [
        (VISITOR, UsageKind.SUGGESTED, "wachtwoord vergeten", 2, False)
    ]


def test_the_hold_out_gets_none_and_is_counted_as_held_out(articles, settings):
    settings.KNOWLEDGE_HOLDOUT_PERCENT = 100
    assert ask("wachtwoord vergeten").json() == {"articles": []}
    assert list(UsageEvent.objects.values_list("results", "held_out")) == [(0, True)]


def test_other_sites_bad_ids_and_short_texts_get_nothing_and_count_nothing(articles, settings):
    settings.KNOWLEDGE_HOLDOUT_PERCENT = 0
    refused = ask("wachtwoord vergeten", origin="https://elders.example")
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused
    assert ask("wachtwoord vergeten", visitor="not-an-id").status_code == 400
    assert ask("ww").json() == {"articles": []}
    assert not UsageEvent.objects.exists()


def test_a_chat_after_the_suggestions_counts_as_a_contact_of_that_visitor(
    articles, settings, department, django_capture_on_commit_callbacks
):
    settings.KNOWLEDGE_HOLDOUT_PERCENT = 0
    queue = Queue.objects.create(code="chat-general", name="Chat", channel=Channel.CHAT, department=department)
    start = timezone.now() - dt.timedelta(minutes=5)
    ask("wachtwoord vergeten")
    with django_capture_on_commit_callbacks(execute=True):
        post_message(queue=queue, conversation=None, client_id="m-1", text="Ik kan niet inloggen", visitor=VISITOR)
    with django_capture_on_commit_callbacks(execute=True):
        post_message(queue=queue, conversation=None, client_id="m-1", text="Andere bezoeker, geen widget-id")
    link = PortalContact.objects.get()
    assert (link.visitor, link.held_out, link.account_group) == (VISITOR, False, "")
    assert UsageEvent.objects.filter(kind=UsageKind.CONTACT, visitor=VISITOR).count() == 1
    figures = stats.usage(start=start, end=timezone.now() + dt.timedelta(minutes=1))
    assert (figures.suggestions.deflected, figures.suggestions.total) == (0, 1)
    assert (figures.contact_rate_shown.deflected, figures.contact_rate_shown.total) == (1, 1)


def test_a_message_left_in_the_widget_without_chatting_counts_for_the_visitor_with_the_suggestions_attached(
    articles, settings, department, team_lead, django_capture_on_commit_callbacks
):
    from contactpunt.channels.webchat.models import ChatConversation
    from contactpunt.channels.webchat.services import leave_written_message
    from contactpunt.channels.webform.services import WrittenContact
    from contactpunt.contacts.models import Contact

    settings.KNOWLEDGE_HOLDOUT_PERCENT = 0
    queue = Queue.objects.create(code="chat-general", name="Chat", channel=Channel.CHAT, department=department)
    Queue.objects.create(code="webform", name="Webformulier", channel=Channel.WEBFORM, department=department)
    start = timezone.now() - dt.timedelta(minutes=5)
    ask("wachtwoord vergeten")  # shown: kb-1 and kb-2

    def leave(key: str, visitor: str = VISITOR):
        written = WrittenContact(key=key, name="Sam", email="sam@example.com", subject="", text="Ik kom er niet in")
        with django_capture_on_commit_callbacks(execute=True):
            return leave_written_message(queue=queue, conversation=None, written=written, visitor=visitor, origin=SHOP)

    received = leave("w-1")
    assert leave("w-1").contact_id == received.contact_id  # sent twice: one contact, one conversation
    conversation = ChatConversation.objects.get()
    assert (conversation.visitor, conversation.case_id, conversation.origin) == (VISITOR, received.case_id, SHOP)
    assert Contact.objects.get(pk=received.contact_id).channel == Channel.WEBFORM
    link = PortalContact.objects.get()
    assert (link.contact_id, link.visitor) == (received.contact_id, VISITOR)
    assert sorted(str(pk) for pk in link.articles.values_list("external_id", flat=True)) == ["kb-1", "kb-2"]
    assert UsageEvent.objects.filter(kind=UsageKind.CONTACT, visitor=VISITOR).count() == 1
    figures = stats.usage(start=start, end=timezone.now() + dt.timedelta(minutes=1))
    assert (figures.suggestions.deflected, figures.suggestions.total) == (0, 1)
    assert (figures.contact_rate_shown.deflected, figures.contact_rate_shown.total) == (1, 1)
    # Without the widget's visitor id (an old widget) the message is taken as before, linked to no one.
    leave("w-2", visitor="")
    assert ChatConversation.objects.count() == 1 and PortalContact.objects.count() == 1
    # The agent sees what the widget offered before the customer wrote.
    staff = Client()
    staff.force_login(team_lead)
    panel = staff.get(f"/knowledge/cases/{received.case_id}/suggestions/").content.decode()
    offered = panel[panel.index('id="offered-in-chat"') :]
    assert "Wachtwoord herstellen" in offered and "Wachtwoord wijzigen" in offered
    assert "Read on the help pages" not in panel and "Gelezen op de hulppagina" not in panel
