"""The webcare rule in the workspace and on the KPI page: a public message gets a response or an agent's explicit
"no response needed"; the WhatsApp window on the case page and its templates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contactpunt.audit.models import AuditEntry
from contactpunt.conftest import make_user
from contactpunt.contacts.models import Channel, Contact, ContactEvent, ContactStatus, EventName, Queue
from contactpunt.contacts.services.case_actions import ActionError, mark_no_response_needed
from contactpunt.contacts.services.inbound import receive_contact
from contactpunt.contacts.services.types import IdentityInput, InboundContact
from contactpunt.contacts.tests.workspace_data import skill, social_post
from contactpunt.kpis.written import backlog
from contactpunt.people.models import Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def social_queue(department) -> Queue:
    queue = Queue.objects.create(code="social", name="Webcare", channel=Channel.SOCIAL, department=department)
    queue.skills.add(skill("nl"))
    return queue


@pytest.fixture
def skilled_agent(agent: User) -> User:
    agent.skills.add(skill("nl"))
    return agent


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_no_response_needed_leaves_the_backlog_with_who_decided(social_queue, skilled_agent, team_lead) -> None:
    now = timezone.now()
    case = social_post(social_queue, now - dt.timedelta(hours=3), "c1")
    other = social_post(social_queue, now - dt.timedelta(hours=2), "c2", handle="@piet")
    post = Contact.objects.get(external_id="c1")
    assert set(backlog(at=now).contact_ids) == {post.pk, Contact.objects.get(external_id="c2").pk}

    response = client_for(skilled_agent).post(reverse("workspace:no_response", args=[case.pk]))
    assert response.status_code == 303
    event = ContactEvent.objects.get(contact=post, name=EventName.WRAPPED)
    assert (event.agent_id, event.data) == (skilled_agent.pk, {"no_response_needed": True})
    post.refresh_from_db()
    assert post.status == ContactStatus.HANDLED
    audit = AuditEntry.objects.get(action="no_response_needed")
    assert (audit.actor_id, audit.object_id, audit.changes) == (
        skilled_agent.pk, str(case.pk), {"contacts": [post.pk], "public": [post.pk]},
    )  # fmt: skip
    assert backlog(at=timezone.now()).contact_ids == (Contact.objects.get(external_id="c2").pk,)
    with pytest.raises(ActionError):
        mark_no_response_needed(case=case, by=skilled_agent)  # nothing is waiting any more

    page = client_for(team_lead).get(reverse("kpis:webcare")).content.decode()
    unanswered = page.split('id="unanswered"')[1].split("</table>")[0]
    closed = page.split('id="closed-without-response"')[1].split("</table>")[0]
    assert other.token in unanswered and case.token not in unanswered
    assert case.token in closed and skilled_agent.username in closed
    assert '<p class="figure" id="public-waiting">1</p>' in page


def test_the_case_page_says_whether_the_whatsapp_window_is_open(department, skilled_agent) -> None:
    queue = Queue.objects.create(code="wa", name="WhatsApp", channel=Channel.WHATSAPP, department=department)
    queue.skills.add(skill("nl"))
    cases = {}
    for key, hours in (("fresh", 2), ("old", 30)):
        received = receive_contact(
            InboundContact(
                source="whatsapp:1065", queue="wa", occurred_at=timezone.now() - dt.timedelta(hours=hours),
                external_id=f"wamid.{key}", channel=Channel.WHATSAPP,
                identities=(IdentityInput("whatsapp", f"+3161234567{hours % 10}"),), text="Hallo",
            )
        )  # fmt: skip
        cases[key] = received.case_id
    client = client_for(skilled_agent)
    fresh = client.get(reverse("workspace:case", args=[cases["fresh"]])).content.decode()
    old = client.get(reverse("workspace:case", args=[cases["old"]])).content.decode()
    # Marked by attribute, not by text: the text is translated.
    assert 'data-window="open"' in fresh and 'data-window="closed"' not in fresh
    assert 'data-window="closed"' in old and 'data-window="open"' not in old


def test_the_viewer_sees_the_page_but_no_close_button(social_queue, team) -> None:
    case = social_post(social_queue, timezone.now(), "c9")
    viewer = make_user("auditor", Role.VIEWER, team)
    page = client_for(viewer).get(reverse("workspace:case", args=[case.pk]))
    assert page.status_code == 200 and 'id="no-response-form"' not in page.content.decode()


def test_outside_the_window_the_agent_sends_an_approved_template(department, skilled_agent, team) -> None:
    from contactpunt.channels.meta.models import MetaAccount, MetaApp, Platform, WhatsAppTemplate, WhatsAppTemplateSend
    from contactpunt.channels.models import OutboundMessage

    queue = Queue.objects.create(code="wa", name="WhatsApp", channel=Channel.WHATSAPP, department=department)
    queue.skills.add(skill("nl"))
    app = MetaApp.objects.create(name="Shop", app_id="1", app_secret="s", verify_token="v")
    account = MetaAccount.objects.create(app=app, platform=Platform.WHATSAPP, name="WA", account_id="1065", queue=queue)
    template = WhatsAppTemplate.objects.create(
        account=account,
        name="follow_up",
        language="nl",
        text="Hoi {{1}}, je vraag over {{2}}?",
        variables=["naam", "onderwerp"],
    )
    WhatsAppTemplate.objects.create(account=account, name="draft", text="x", is_approved=False)
    received = receive_contact(
        InboundContact(
            source="whatsapp:1065", queue="wa", occurred_at=timezone.now() - dt.timedelta(hours=30),
            external_id="wamid.old", channel=Channel.WHATSAPP, identities=(IdentityInput("whatsapp", "+31612345678"),),
            text="Hallo",
        )
    )  # fmt: skip
    url = reverse("workspace:whatsapp_template", args=[received.case_id])
    page = client_for(skilled_agent).get(reverse("workspace:case", args=[received.case_id])).content.decode()
    assert 'id="whatsapp-template-form"' in page and "follow_up" in page and "draft" not in page

    wrong = client_for(skilled_agent).post(url, {"template": template.pk, "values": "Sanne"})
    assert wrong.status_code == 303 and not OutboundMessage.objects.exists()
    viewer = make_user("auditor", Role.VIEWER, team)
    assert client_for(viewer).post(url, {"template": template.pk, "values": "Sanne\nje kaart"}).status_code == 403
    assert (
        client_for(skilled_agent).post(url, {"template": template.pk, "values": "Sanne\nje kaart"}).status_code == 303
    )
    row = OutboundMessage.objects.get()
    assert row.body == "Hoi Sanne, je vraag over je kaart?"
    sent = WhatsAppTemplateSend.objects.get(outbound=row)
    assert (sent.template_id, sent.values) == (template.pk, ["Sanne", "je kaart"])
