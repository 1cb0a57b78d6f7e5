"""What a user sees of the other people in a booking (the rules of `contactpunt.access`): names and roles for whoever
sees the customer; a guest's contact data, notes and contact history beside another's booking only for the roles that
see every queue, or with the guest's consent to share within the booking; audited; the same in the API."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from contactpunt.access import Action, GuestBasis, can, guest_details
from contactpunt.audit.models import AuditEntry
from contactpunt.conftest import make_user
from contactpunt.contacts.models import Case, Queue
from contactpunt.contacts.services.customers import erase_customer
from contactpunt.contacts.tests.workspace_data import mail, skill
from contactpunt.customers.models import ConsentPurpose, ConsentSource, Customer
from contactpunt.customers.services import ConsentRejected, add_note, record_consent
from contactpunt.journey.services import OrderInput, record_order
from contactpunt.people.models import Role, User

pytestmark = pytest.mark.django_db
AT = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


@pytest.fixture
def booking(email_queue: Queue, agent: User) -> tuple[Case, Customer, Case]:
    """The booker's case in the agent's queue; a guest with a note and a case of their own in a queue the agent may
    not work (it asks a skill the agent lacks); the stay of both."""
    email_queue.skills.add(skill("nl"))
    agent.skills.add(skill("nl"))
    booker_case = mail(email_queue, AT, "m-booker", sender="els@example.nl", name="Els de Vries")
    other_queue = Queue.objects.create(code="park-vip", name="VIP", channel="email", department=email_queue.department)
    other_queue.skills.add(skill("vip"))
    guest_case = mail(
        other_queue, AT - dt.timedelta(days=30), "m-guest", sender="gijs@example.nl", name="Gijs Gast",
        subject="Fietsverhuur voor twee",
    )  # fmt: skip
    guest = guest_case.customer
    assert guest is not None and booker_case.customer_id is not None
    add_note(customer=guest, author=None, text="Allergisch voor noten")
    record_order(
        OrderInput(
            source="parks", external_id="B-7", kind="stay", ordered_on=dt.date(2026, 2, 1),
            customer_id=booker_case.customer_id, amount=Decimal("600"), starts_on=dt.date(2026, 7, 1),
            ends_on=dt.date(2026, 7, 8), fellow_travellers=(guest.pk,),
        )
    )  # fmt: skip
    return booker_case, guest, guest_case


def _page(user: User, case: Case) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("workspace:case", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _share(guest: Customer, agreed: bool, at: dt.datetime = AT) -> None:
    record_consent(
        customer=guest, purpose=ConsentPurpose.SHARING, is_granted=agreed, source=ConsentSource.AGENT, by=None, at=at
    )


DETAILS = ("gijs@example.nl", "Allergisch voor noten", "Fietsverhuur voor twee")


def _viewed() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="customer.guest_viewed").order_by("pk"))


def test_an_agent_sees_a_guest_by_name_and_role_only(booking: tuple[Case, Customer, Case], agent: User) -> None:
    booker_case, guest, _ = booking
    html = _page(agent, booker_case)
    assert "Gijs Gast" in html and f'data-guest="{guest.pk}" data-details="none"' in html
    assert not any(text in html for text in DETAILS)
    assert _viewed() == []  # nothing shown, nothing audited


def test_a_team_lead_sees_the_guest_s_details_by_role_and_it_is_audited(
    booking: tuple[Case, Customer, Case], team_lead: User
) -> None:
    booker_case, guest, guest_case = booking
    html = _page(team_lead, booker_case)
    assert f'data-guest="{guest.pk}" data-details="role"' in html
    assert all(text in html for text in DETAILS)
    assert reverse("workspace:case", args=[guest_case.pk]) in html  # the lead may open the guest's case
    [entry] = _viewed()
    assert entry.actor == team_lead and entry.object_id == str(guest.pk)
    assert entry.changes["basis"] == "role" and entry.changes["beside"] == booker_case.customer_id


def test_an_agent_sees_the_details_while_the_guest_agrees_to_share(
    booking: tuple[Case, Customer, Case], agent: User
) -> None:
    booker_case, guest, guest_case = booking
    _share(guest, True)
    html = _page(agent, booker_case)
    assert f'data-guest="{guest.pk}" data-details="consent"' in html
    assert all(text in html for text in DETAILS)
    assert reverse("workspace:case", args=[guest_case.pk]) not in html  # named, but not the agent's case to open
    assert [(e.actor, e.changes["basis"]) for e in _viewed()] == [(agent, "consent")]
    _share(guest, False, AT + dt.timedelta(hours=1))  # a later no takes it back
    html = _page(agent, booker_case)
    assert 'data-details="none"' in html and not any(text in html for text in DETAILS)
    assert len(_viewed()) == 1


def test_a_guest_who_refused_is_still_seen_by_the_team_lead(
    booking: tuple[Case, Customer, Case], agent: User, team_lead: User
) -> None:
    booker_case, guest, _ = booking
    _share(guest, False)
    assert guest_details(agent, booker_case.customer_id or 0, [guest.pk]) == {}
    assert guest_details(team_lead, booker_case.customer_id or 0, [guest.pk]) == {guest.pk: GuestBasis.ROLE}


def test_the_roles_and_someone_who_may_not_see_the_booker(booking: tuple[Case, Customer, Case]) -> None:
    booker_case, guest, _ = booking
    _share(guest, True)
    people = (("vic", Role.VIEWER), ("mo", Role.MANAGER), ("ot", Role.AGENT))
    viewer, manager, outsider = (make_user(name, role) for name, role in people)
    assert [can(u, Action.SEE_GUEST_DETAILS) for u in (viewer, manager, outsider)] == [True, True, False]
    booker = booker_case.customer_id or 0
    assert guest_details(outsider, booker, [guest.pk]) == {}  # not the outsider's customer: not even with consent
    assert guest_details(viewer, booker, [guest.pk, booker]) == {guest.pk: GuestBasis.ROLE}  # never oneself


def test_from_the_guest_s_own_case_the_booker_follows_the_same_rules(
    booking: tuple[Case, Customer, Case], team_lead: User
) -> None:
    booker_case, _guest, guest_case = booking
    vip = make_user("vera", Role.AGENT)
    vip.skills.add(skill("vip"))
    html = _page(vip, guest_case)
    assert "Els de Vries" in html and f'data-guest="{booker_case.customer_id}" data-details="none"' in html
    assert "els@example.nl" not in html and "Waar blijft mijn bestelling?" not in html
    assert "els@example.nl" in _page(team_lead, guest_case)


def test_an_erased_guest_is_counted_not_named(booking: tuple[Case, Customer, Case], team_lead: User) -> None:
    booker_case, guest, _ = booking
    erase_customer(customer=guest, by=make_user("mia", Role.MANAGER), reason="verzoek")
    html = _page(team_lead, booker_case)
    assert "Gijs Gast" not in html and "data-guest=" not in html and _viewed() == []


def test_sharing_is_agreed_for_every_channel_only(booking: tuple[Case, Customer, Case], token: str) -> None:
    _, guest, _ = booking
    with pytest.raises(ConsentRejected):
        record_consent(
            customer=guest, purpose="sharing", channel="email", is_granted=True, source="agent", by=None, at=AT
        )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = {"purpose": "sharing", "channel": "whatsapp", "agreed": True}
    refused = api.post(f"/api/v1/customers/{guest.pk}/consent", data=json.dumps(body), content_type="application/json")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "channel"


def test_the_api_gives_a_guest_s_identities_only_with_their_consent(
    booking: tuple[Case, Customer, Case], token: str
) -> None:
    booker_case, guest, _ = booking
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/customers/{booker_case.customer_id}/orders"
    [item] = api.get(url).json()["items"]
    assert item["external_id"] == "B-7" and item["role"] == "booker" and item["stage"] == "booked"
    assert item["people"] == [
        {"customer_id": guest.pk, "name": "Gijs Gast", "role": "fellow_traveller", "identities": None}
    ]
    agreed = {"purpose": "sharing", "agreed": True, "at": "2026-03-02T10:00:00+01:00"}
    api.post(f"/api/v1/customers/{guest.pk}/consent", data=json.dumps(agreed), content_type="application/json")
    [item] = api.get(url).json()["items"]
    assert [i["value"] for i in item["people"][0]["identities"]] == ["gijs@example.nl"]
    [seen_by_guest] = api.get(f"/api/v1/customers/{guest.pk}/orders").json()["items"]
    assert seen_by_guest["role"] == "fellow_traveller"
    assert seen_by_guest["people"][0]["role"] == "booker" and seen_by_guest["people"][0]["identities"] is None
    assert api.get("/api/v1/customers/999999/orders").status_code == 404
    assert Client().get(url).status_code == 401
