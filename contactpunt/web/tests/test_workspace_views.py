"""The workspace's pages and actions through the test client: who may see and do what, and what each action
changes. Personas: the agent of the queue, a team lead, the read-only viewer, an agent without the queue's
skill (an outsider), and bad ids."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contactpunt.channels.models import OutboundMessage
from contactpunt.conftest import make_user
from contactpunt.contacts.models import (
    AgentState,
    Case,
    CaseStatus,
    Channel,
    Contact,
    ContactEvent,
    Direction,
    EventName,
    Message,
    Queue,
    ResponseTemplate,
    WorkSession,
)
from contactpunt.contacts.services.events import current_agent_state
from contactpunt.contacts.tests.workspace_data import mail, reason, skill
from contactpunt.customers.models import CustomerNote
from contactpunt.people.models import Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(email_queue) -> Case:
    email_queue.skills.add(skill("nl"))
    return mail(email_queue, timezone.now() - dt.timedelta(hours=1), "m1")


@pytest.fixture
def skilled_agent(agent: User) -> User:
    agent.skills.add(skill("nl"))
    return agent


@pytest.fixture
def viewer(team):
    return make_user("auditor", Role.VIEWER, team)


@pytest.fixture
def outsider(team):
    return make_user("otto", Role.AGENT, team)  # no skills: not in the queue


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


READS = ["workspace:case", "workspace:timeline", "workspace:presence", "workspace:orders"]
WRITES = [
    ("workspace:reply", {"body": "Hallo"}),
    ("workspace:note", {"text": "intern"}),
    ("workspace:customer_note", {"text": "Belt liever na 17 uur"}),
    ("workspace:assign", {"assignee": ""}),
    ("workspace:transfer", {"queue": "", "reason": "other"}),
    ("workspace:wrap_up", {"reason": ""}),
    ("workspace:resolve", {}),
    ("workspace:reopen", {}),
    ("workspace:merge", {"target": "1"}),
    ("workspace:private", {}),
    ("workspace:no_response", {}),
    ("workspace:open", {}),
    ("workspace:leave", {}),
]


def _fingerprint(case: Case) -> tuple[object, ...]:
    case.refresh_from_db()
    return (
        case.status,
        case.queue_id,
        case.assignee_id,
        case.reason_id,
        Message.objects.count(),
        ContactEvent.objects.count(),
        WorkSession.objects.count(),
        OutboundMessage.objects.count(),
        CustomerNote.objects.count(),
    )


@pytest.mark.parametrize("name", READS)
def test_reads_for_each_persona(name, case, skilled_agent, team_lead, viewer, outsider):  # noqa: PLR0917 (fixtures)
    url = reverse(name, args=[case.pk])
    assert client_for(skilled_agent).get(url).status_code == 200
    assert client_for(team_lead).get(url).status_code == 200
    assert client_for(viewer).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page


@pytest.mark.parametrize(("name", "data"), WRITES)
def test_writes_are_refused_to_the_viewer_and_hidden_from_outsiders(name, data, case, viewer, outsider):
    before = _fingerprint(case)
    url = reverse(name, args=[case.pk])
    assert client_for(viewer).post(url, data).status_code == 403
    assert client_for(outsider).post(url, data).status_code == 404
    assert Client().post(url, data).status_code == 302
    assert _fingerprint(case) == before


@pytest.mark.parametrize("bad_id", ["0", "abc", "999999", "99999999999999999999999", "-1", "1.5"])
@pytest.mark.parametrize("name", ["workspace:case", "workspace:timeline"])
def test_bad_ids_are_404(name, bad_id, team_lead, case):
    assert client_for(team_lead).get(reverse(name, args=[bad_id])).status_code == 404


def test_bad_ids_on_writes_are_404(team_lead, case):
    assert client_for(team_lead).post(reverse("workspace:resolve", args=["nope"])).status_code == 404
    assert client_for(team_lead).post(reverse("workspace:resolve", args=["424242"])).status_code == 404


def test_the_inbox_page_renders_the_rows_with_a_bounded_number_of_queries(
    case, skilled_agent, email_queue, django_assert_max_num_queries
):
    for i in range(10):
        mail(email_queue, timezone.now() - dt.timedelta(minutes=i), f"m-extra-{i}", sender=f"k{i}@example.nl")
    client = client_for(skilled_agent)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("workspace:inbox"))
    assert response.status_code == 200
    assert response.content.decode().count('<tr data-case="') == 11
    assert "Ik heb vorige week besteld en nog niets ontvangen." in response.content.decode()  # the latest message
    partial = client.get(reverse("workspace:inbox"), {"channel": "phone"}, HTTP_HX_REQUEST="true")
    assert '<tr data-case="' not in partial.content.decode()
    assert 'id="filter-fields"' in partial.content.decode()  # counts refresh with the table


def test_the_outsider_sees_an_empty_inbox(case, outsider):
    assert '<tr data-case="' not in client_for(outsider).get(reverse("workspace:inbox")).content.decode()


def test_the_interface_is_dutch_by_default(case, skilled_agent):
    page = client_for(skilled_agent).get(reverse("workspace:case", args=[case.pk])).content.decode()
    assert "Volgende pakken" in client_for(skilled_agent).get(reverse("workspace:inbox")).content.decode()
    assert "Antwoord versturen" in page
    # channels by their Dutch names, in the reply's title and on the timeline, not by their codes
    timeline = client_for(skilled_agent).get(reverse("workspace:timeline", args=[case.pk])).content.decode()
    assert '<span class="badge channel-email">e-mail</span>' in page
    assert '<span class="badge channel-email">e-mail</span>' in timeline


def test_state_take_next_reply_transfer_and_wrap_up(case, skilled_agent, email_queue, department):
    client = client_for(skilled_agent)
    assert client.post(reverse("workspace:next")).status_code == 303  # offline: refused with a toast
    assert Case.objects.get(pk=case.pk).assignee is None

    response = client.post(reverse("workspace:state"), {"state": "available"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'value="available" selected' in response.content.decode()
    assert client.post(reverse("workspace:state"), {"state": "on_contact"}).status_code == 400

    response = client.post(reverse("workspace:next"))
    assert response.status_code == 303 and response["Location"] == reverse("workspace:case", args=[case.pk])
    assert current_agent_state(skilled_agent) == AgentState.ON_CONTACT

    template = ResponseTemplate.objects.create(name="Onderweg", text="Beste {first_name}, je kaart is onderweg.")
    filled = client.get(reverse("workspace:template", args=[case.pk, template.pk])).json()
    assert filled == {"text": "Beste Sanne, je kaart is onderweg."}
    assert client.post(reverse("workspace:reply", args=[case.pk]), {"body": filled["text"]}).status_code == 303
    outbound = Contact.objects.get(case=case, direction=Direction.OUTBOUND)
    assert OutboundMessage.objects.get(message_id=outbound.external_id).body == filled["text"]
    page = client.get(reverse("workspace:case", args=[case.pk])).content.decode()
    assert "delivery-queued" in page  # the reply's delivery state

    other = Queue.objects.create(code="email-b2b", name="Zakelijk", channel=Channel.EMAIL, response_norm_s=3600)
    response = client.post(
        reverse("workspace:transfer", args=[case.pk]), {"queue": other.pk, "reason": "expertise", "note": "@lotte"}
    )
    assert response.status_code == 303
    assert ContactEvent.objects.get(case=case, name=EventName.TRANSFERRED).data["to_queue"] == other.pk

    response = client.post(reverse("workspace:wrap_up", args=[case.pk]), {"reason": ""})
    assert response.status_code == 303 and Case.objects.get(pk=case.pk).reason is None  # a reason is required
    response = client.post(reverse("workspace:wrap_up", args=[case.pk]), {"reason": reason().pk, "resolve": "on"})
    assert response.status_code == 303
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RESOLVED
    assert current_agent_state(skilled_agent) == AgentState.AVAILABLE
    # Wrap-up hands the case back; the page names who handled it, not "nobody".
    assert Case.objects.get(pk=case.pk).assignee is None
    page = client.get(reverse("workspace:case", args=[case.pk])).content.decode()
    assert f'Afgehandeld door <strong id="assignee">{skilled_agent.display_name}</strong>' in page
    assert "niemand</strong>" not in page


def test_a_refused_action_is_a_toast_and_changes_nothing(case, skilled_agent):
    client = client_for(skilled_agent)
    before = _fingerprint(case)
    response = client.post(reverse("workspace:reopen", args=[case.pk]), follow=True)
    assert response.status_code == 200
    assert "toast-error" in response.content.decode()
    assert _fingerprint(case) == before


def test_merge_into_a_case_the_agent_may_not_see_is_404(case, skilled_agent, second_phone_queue):
    second_phone_queue.skills.add(skill("finance"))
    hidden = mail(
        Queue.objects.create(code="mail-fin", name="Fin", channel=Channel.EMAIL),
        timezone.now(),
        "m-hidden",
        sender="z@example.nl",
    )
    hidden.queue.skills.add(skill("finance"))
    response = client_for(skilled_agent).post(reverse("workspace:merge", args=[case.pk]), {"target": hidden.pk})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_the_customer_panel_shows_earlier_cases_and_notes_that_carry_over(case, skilled_agent, email_queue):
    client = client_for(skilled_agent)
    client.post(reverse("workspace:customer_note", args=[case.pk]), {"text": "Belt liever na 17 uur"})
    client.post(reverse("workspace:resolve", args=[case.pk]))
    later = mail(email_queue, timezone.now(), "m2", subject="Nieuwe vraag")
    assert later.pk != case.pk and later.customer_id == case.customer_id
    page = client.get(reverse("workspace:case", args=[later.pk])).content.decode()
    assert "Belt liever na 17 uur" in page
    assert case.token in page and "klant@example.nl" in page


def test_opening_a_case_starts_a_work_session_and_colleagues_see_it(case, skilled_agent, team_lead):
    client = client_for(skilled_agent)
    assert client.post(reverse("workspace:open", args=[case.pk])).status_code == 204
    presence = client_for(team_lead).get(reverse("workspace:presence", args=[case.pk])).content.decode()
    assert "anna" in presence
    assert client.post(reverse("workspace:leave", args=[case.pk])).status_code == 204
    assert WorkSession.objects.get().outcome == "left"


def test_the_viewer_may_not_set_a_state_or_take_work(viewer):
    client = client_for(viewer)
    assert client.post(reverse("workspace:state"), {"state": "available"}).status_code == 403
    assert client.post(reverse("workspace:next")).status_code == 403
    assert current_agent_state(viewer) == AgentState.OFFLINE


def test_a_mention_shows_until_the_colleague_opens_the_case(case, skilled_agent, team_lead):
    client_for(skilled_agent).post(reverse("workspace:note", args=[case.pk]), {"text": "@lotte kun jij bellen?"})
    lead = client_for(team_lead)
    page = lead.get(reverse("workspace:mentions")).content.decode()
    assert "kun jij bellen?" in page and case.token in page and "has-unseen" in page
    assert lead.post(reverse("workspace:open", args=[case.pk])).status_code == 204
    assert "has-unseen" not in lead.get(reverse("workspace:mentions")).content.decode()


def test_the_case_page_beats_and_a_quiet_colleague_disappears_from_it(case, skilled_agent, team_lead):
    """The heartbeat keeps the agent's session seen; the page polls its presence badge (every 60 s) so that a
    colleague whose browser was killed disappears from it (the rule itself: contacts/tests/test_presence.py)."""
    client = client_for(skilled_agent)
    client.post(reverse("workspace:open", args=[case.pk]))
    WorkSession.objects.update(started_at=timezone.now() - dt.timedelta(hours=1), seen_at=None)  # went quiet
    badge = reverse("workspace:presence", args=[case.pk])
    assert "anna" not in client_for(team_lead).get(badge).content.decode()
    assert client.post(reverse("workspace:heartbeat", args=[case.pk])).status_code == 204
    assert "anna" in client_for(team_lead).get(badge).content.decode()
    page = client_for(team_lead).get(reverse("workspace:case", args=[case.pk])).content.decode()
    assert 'hx-trigger="cp:live-case, every 60s"' in page
    assert (
        reverse("workspace:heartbeat", args=[case.pk])
        in client.get(reverse("workspace:case", args=[case.pk])).content.decode()
    )
