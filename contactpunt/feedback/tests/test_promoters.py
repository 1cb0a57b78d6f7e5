"""The other half of the closed loop: happy customers are thanked, or asked to become an ambassador, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from contactpunt.audit.models import AuditEntry
from contactpunt.channels.models import OutboundMessage
from contactpunt.contacts.models import Channel, Queue
from contactpunt.customers.models import Customer
from contactpunt.feedback.models import Answer, Gratitude, PromoterReply, Undeliverable
from contactpunt.feedback.services.answers import submit_answer
from contactpunt.feedback.services.promoters import AlreadyReplied, NotHappy, awaiting_reply, reply_to_promoter
from contactpunt.feedback.tests.data import invited
from contactpunt.people.models import User

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def _answer(queue: Queue, agent: User, at: dt.datetime, ext: str, *, sender: str, score: str, comment: str) -> Answer:
    _, token = invited(queue, agent, at, ext, sender=sender)
    result = submit_answer(token, {"score": score, "comment": comment}, at + HOUR)
    assert result.answer is not None
    return result.answer


def _messages_to(address: str) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(to=address).exclude(subject__startswith="Re:"))


def test_a_promoter_is_thanked_once_on_the_channel_of_the_contact(
    email_queue: Queue, agent: User, team_lead: User, t0: dt.datetime
) -> None:
    promoter = _answer(
        email_queue, agent, t0, "p", sender="sanne@example.nl", score="10", comment="Top geholpen door Anna"
    )
    assert list(awaiting_reply(Answer.objects.all())) == [promoter]
    reply = reply_to_promoter(answer=promoter, by=team_lead, kind=Gratitude.THANKS, now=t0 + 2 * HOUR)
    [message] = _messages_to("sanne@example.nl")
    assert (message.channel, reply.outbound_ref, reply.undeliverable) == (Channel.EMAIL, message.message_id, "")
    assert message.subject.startswith("Dank je wel voor je mooie woorden")
    assert message.body.startswith("Hallo Sanne de Vries,") and "collega die je hielp" in message.body
    with pytest.raises(AlreadyReplied):
        reply_to_promoter(answer=promoter, by=team_lead, kind=Gratitude.AMBASSADOR, now=t0 + 3 * HOUR)
    assert len(_messages_to("sanne@example.nl")) == 1
    assert not awaiting_reply(Answer.objects.all()).exists()
    entry = AuditEntry.objects.get(action="promoter.replied")
    assert (entry.actor, entry.object_id, entry.changes["kind"]) == (team_lead, str(reply.pk), "thanks")


def test_only_happy_customers_and_never_an_erased_one(
    email_queue: Queue, agent: User, team_lead: User, t0: dt.datetime
) -> None:
    passive = _answer(email_queue, agent, t0, "a", sender="a@example.nl", score="8", comment="Prima")
    with pytest.raises(NotHappy):
        reply_to_promoter(answer=passive, by=team_lead, kind=Gratitude.THANKS, now=t0 + 2 * HOUR)
    with pytest.raises(ValueError, match="kind"):
        reply_to_promoter(answer=passive, by=team_lead, kind="kind", now=t0 + 2 * HOUR)
    erased = _answer(email_queue, agent, t0, "b", sender="b@example.nl", score="9", comment="Heel fijn")
    Customer.objects.filter(pk=erased.invitation.customer_id).update(erased_at=t0 + HOUR)
    assert not awaiting_reply(Answer.objects.all()).exists()
    erased.invitation.customer.refresh_from_db()
    reply = reply_to_promoter(answer=erased, by=team_lead, kind=Gratitude.AMBASSADOR, now=t0 + 2 * HOUR)
    assert (reply.undeliverable, reply.outbound_ref) == (Undeliverable.ERASED, "")
    assert _messages_to("b@example.nl") == []
    assert not PromoterReply.objects.filter(answer=passive).exists()


def test_the_team_lead_asks_an_ambassador_from_the_follow_ups_page(
    email_queue: Queue, agent: User, team_lead: User, t0: dt.datetime
) -> None:
    promoter = _answer(email_queue, agent, t0, "p", sender="piet@example.nl", score="9", comment="Snel en vriendelijk")
    lead = Client()
    lead.force_login(team_lead)
    page = lead.get("/feedback/follow-ups/").content.decode()
    assert "Tevreden klanten om te bedanken" in page and "Snel en vriendelijk" in page
    assert "Vraag als ambassadeur" in page
    bad = lead.post(f"/feedback/promoters/{promoter.pk}/reply/", {"kind": "bloemen"}, follow=True)
    assert "Kies of je de klant bedankt" in bad.content.decode()
    assert not PromoterReply.objects.exists()
    done = lead.post(f"/feedback/promoters/{promoter.pk}/reply/", {"kind": Gratitude.AMBASSADOR}, follow=True)
    assert "Het bericht aan de klant is onderweg." in done.content.decode()
    [message] = _messages_to("piet@example.nl")
    assert message.subject.startswith("Zou je ons aanbevelen?") and "ambassadeurs" in message.body
    assert "Snel en vriendelijk" not in lead.get("/feedback/follow-ups/").content.decode()
    assert lead.post("/feedback/promoters/999999/reply/", {"kind": Gratitude.THANKS}).status_code == 404
    assert lead.post("/feedback/promoters/99999999999999999999/reply/", {"kind": "thanks"}).status_code == 404

    helper = Client()
    helper.force_login(agent)
    assert helper.post(f"/feedback/promoters/{promoter.pk}/reply/", {"kind": Gratitude.THANKS}).status_code == 403
    assert helper.get(f"/feedback/promoters/{promoter.pk}/reply/").status_code in (403, 405)
