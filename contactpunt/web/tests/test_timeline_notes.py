"""An internal note on the case timeline: it is shown as a note, never with a channel and a delivery state as if
it were sent to the customer (a note hangs on the case's latest contact, which may be a reply in the outbox)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from contactpunt.channels.tests.test_demo_delivery import whatsapp
from contactpunt.contacts.models import Channel, Queue
from contactpunt.contacts.services.case_actions import add_internal_note
from contactpunt.contacts.services.replies import reply
from contactpunt.people.models import User
from contactpunt.web.workspace.panels import timeline

pytestmark = pytest.mark.django_db


def test_a_note_after_a_queued_whatsapp_reply_shows_no_channel_or_delivery_state(
    department, agent: User, team_lead: User
) -> None:
    queue = Queue.objects.create(code="whatsapp", name="WhatsApp", channel=Channel.WHATSAPP, department=department)
    case = whatsapp(queue, timezone.now() - dt.timedelta(minutes=10))
    reply(case=case, by=agent, body="We zoeken het uit.")  # stays queued: nothing drains the outbox here
    add_internal_note(case=case, author=agent, text="Klant belde ook al, @lotte kijk jij mee?")

    with translation.override("nl"):
        items = [(i.kind, i.channel, i.delivery, str(i.delivery_label)) for i in timeline(case)]
    assert items == [
        ("message", "whatsapp", "", ""),
        ("message", "whatsapp", "queued", "in wachtrij"),
        ("note", "", "", ""),
    ]

    client = Client()
    client.force_login(team_lead)
    page = client.get(reverse("workspace:timeline", args=[case.pk])).content.decode()
    notes = re.findall(r'<li class="item item-note[^"]*">(.*?)</li>', page, re.S)
    assert len(notes) == 1
    assert "interne notitie" in notes[0] and "Klant belde ook al" in notes[0]
    assert "WhatsApp" not in notes[0] and "in wachtrij" not in notes[0] and "delivery-" not in notes[0]
    assert page.count("in wachtrij") == 1  # the reply's own state is still shown
