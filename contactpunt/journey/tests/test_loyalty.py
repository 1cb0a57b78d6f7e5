"""Segments (quintile scores, rules as data, movement), service beside loyalty (with Wilson intervals), and the
loyalty page for its personas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contactpunt.conftest import make_user
from contactpunt.contacts.models import Queue
from contactpunt.contacts.services.case_actions import wrap_up
from contactpunt.contacts.tests.workspace_data import mail, reason
from contactpunt.customers import services as customers
from contactpunt.customers.identities import IdentityKey
from contactpunt.feedback.services.answers import submit_answer
from contactpunt.feedback.tests.data import invited
from contactpunt.journey import loyalty, segments, snapshot
from contactpunt.journey.models import ComplaintReason, SegmentRule
from contactpunt.journey.services import OrderInput, record_orders
from contactpunt.people.models import Role, User

pytestmark = pytest.mark.django_db
D = dt.date


def _orders(rows: list[tuple[int, dt.date, str]]) -> None:
    record_orders(
        [
            OrderInput(source="shop", external_id=f"O{n}", ordered_on=day, customer_id=pk, amount=Decimal(amount))
            for n, (pk, day, amount) in enumerate(rows)
        ]
    )


def _customer(email: str) -> int:
    pk = customers.customer_for_identities([IdentityKey("email", "", email)])
    assert pk is not None
    return pk


def test_quintiles_share_ties() -> None:
    assert list(segments.quintile(np.array([1.0, 1, 1, 2, 3, 4, 5, 6, 7, 8]))) == [1, 1, 1, 2, 3, 3, 4, 4, 5, 5]


def test_segments_follow_the_rules_and_their_movement() -> None:
    ids = [_customer(f"k{n}@example.nl") for n in range(5)]
    rows = []
    for n, pk in enumerate(ids):  # customer n: n+1 orders, the last one n*30 days before 2026-06-30
        for m in range(n + 1):
            rows.append((pk, D(2026, 6, 30) - dt.timedelta(days=(4 - n) * 30 + m), "10"))
    _orders(rows)
    scored = {s.customer_id: s for s in segments.score(D(2026, 6, 30))}
    assert [(scored[pk].recency, scored[pk].frequency) for pk in ids] == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)]
    assert [scored[pk].segment for pk in ids] == ["lost", "lost", "returning", "fans", "fans"]
    SegmentRule.objects.filter(key="fans").update(recency_min=5)  # a manager makes fans stricter
    assert segments.score(D(2026, 6, 30))[3].segment == "returning"
    move = segments.movement(D(2026, 6, 15))
    assert move.before == D(2026, 5, 31) and move.after == D(2026, 6, 30)
    assert sum(move.sizes.values()) == 5
    assert sum(n for (source, _to), n in move.counts.items() if source == "") == 1  # customer 4 first ordered in June


def test_wilson_interval() -> None:
    low, high = loyalty.wilson(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    assert loyalty.wilson(0, 0) == (0.0, 1.0)


def test_returning_by_the_outcome_of_the_first_contact(email_queue: Queue, agent: User) -> None:
    complaint = reason("klacht", "Klacht")
    ComplaintReason.objects.create(reason=complaint)
    question = reason("vraag", "Vraag")
    now = timezone.now()
    first_day = timezone.localdate(now) - dt.timedelta(days=100)
    complainer = mail(email_queue, now - dt.timedelta(days=90), "m1", sender="a@example.nl")
    asker = mail(email_queue, now - dt.timedelta(days=90), "m2", sender="b@example.nl")
    wrap_up(case=complainer, by=agent, reason=complaint, resolve=True)
    wrap_up(case=asker, by=agent, reason=question, resolve=True)
    silent = _customer("c@example.nl")
    assert complainer.customer_id and asker.customer_id
    _orders(
        [
            (complainer.customer_id, first_day, "10"),
            (asker.customer_id, first_day, "10"),
            (asker.customer_id, first_day + dt.timedelta(days=50), "10"),
            (silent, first_day, "10"),
            (silent, first_day + dt.timedelta(days=5), "10"),
        ]
    )
    groups = {g.key: (g.customers, g.returning) for g in loyalty.returning_by_first_contact()}
    # the asker's case lies before their second order; the silent customer had no contact
    assert groups == {
        "no_contact": (1, 1),
        "complaint": (1, 0),
        "no_complaint": (1, 1),
        "solved_first": (2, 1),
        "not_solved_first": (0, 0),
    }


def test_the_loyalty_page_for_its_personas(team_lead: User, agent: User) -> None:
    _orders([(_customer("x@example.nl"), D(2026, 1, 5), "10"), (_customer("y@example.nl"), D(2026, 2, 5), "5")])
    lead = Client()
    lead.force_login(team_lead)
    page = lead.get(reverse("journey:index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "2026-01" in html and 'id="cohort-table"' in html and "<svg" in html
    assert 'action="/journey/segments/' not in html  # a team lead reads the rules, a manager changes them
    assert lead.get(reverse("journey:index") + "?by=quarter").content.decode().count("2026-Q1") >= 1
    outsider = Client()
    outsider.force_login(agent)
    assert outsider.get(reverse("journey:index")).status_code == 403
    manager = make_user("mia", Role.MANAGER)
    boss = Client()
    boss.force_login(manager)
    rule = SegmentRule.objects.get(key="fans")
    assert f'action="/journey/segments/{rule.pk}/"' in boss.get(reverse("journey:index")).content.decode()
    data = {f"r{rule.pk}-{k}": v for k, v in {"name": "Echte fans", "position": 1}.items()}
    for field in ("recency", "frequency", "value"):
        data[f"r{rule.pk}-{field}_min"], data[f"r{rule.pk}-{field}_max"] = 5, 5
    assert boss.post(reverse("journey:edit_rule", args=[rule.pk]), data).status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.recency_min, rule.value_min) == ("Echte fans", 5, 5)
    data[f"r{rule.pk}-value_min"], data[f"r{rule.pk}-value_max"] = 5, 2  # a range from high to low is refused
    boss.post(reverse("journey:edit_rule", args=[rule.pk]), data)
    rule.refresh_from_db()
    assert rule.value_max == 5


def test_contact_rate_and_reasons_per_segment(email_queue: Queue, agent: User) -> None:
    question = reason("vraag", "Vraag")
    case = mail(email_queue, dt.datetime(2026, 6, 20, 9, tzinfo=dt.UTC), "m1", sender="p@example.nl")
    wrap_up(case=case, by=agent, reason=question, resolve=True)
    assert case.customer_id is not None
    other = _customer("q@example.nl")
    _orders([(case.customer_id, D(2026, 6, 1), "10"), (other, D(2026, 6, 2), "10")])
    rows = {p.segment: p for p in segments.profiles(D(2026, 6, 30))}
    assert sum(p.customers for p in rows.values()) == 2
    (with_contact,) = [p for p in rows.values() if p.contacts]
    assert with_contact.top_reasons == [("Vraag", 1)] and with_contact.contacts == 1


def test_nps_per_segment_counts_the_answers_its_customers_gave(email_queue: Queue, agent: User) -> None:
    at = dt.datetime(2026, 6, 10, 9, tzinfo=dt.UTC)
    ordered = []
    for n, score in enumerate(["10", "9", "3", "7"]):
        invitation, token = invited(email_queue, agent, at, f"s{n}", sender=f"s{n}@example.nl")
        assert submit_answer(token, {"score": score}, at + dt.timedelta(hours=1)).answer is not None
        ordered.append(invitation.customer_id)
    # A customer without orders is in no segment: their answer counts nowhere.
    _, token = invited(email_queue, agent, at, "x", sender="x@example.nl")
    assert submit_answer(token, {"score": "0"}, at + dt.timedelta(hours=1)).answer is not None
    _orders([(pk, D(2026, 6, 1), "10") for pk in ordered])  # one order each on one day: one segment
    [profile] = [p for p in segments.profiles(D(2026, 6, 30)) if p.answers]
    assert (profile.customers, profile.answers, profile.promoters, profile.detractors) == (4, 4, 2, 1)
    assert profile.nps.value == pytest.approx(0.25) and profile.nps.n == 4
    assert profile.nps.low is not None and profile.nps.high is not None
    assert profile.nps.low < 0.25 < profile.nps.high and profile.nps.is_small
    # Answers after the day are not in its 90 days.
    assert not [p for p in segments.profiles(D(2026, 6, 5)) if p.answers]
    # The page reads the figures from the snapshot (as of the newest order): they survive its JSON.
    late = OrderInput(
        source="shop", external_id="late", ordered_on=D(2026, 6, 20), customer_id=_customer("n@example.nl"), amount=1
    )
    record_orders([late])
    snapshot.refresh()
    assert snapshot.read().profiles == segments.profiles(D(2026, 6, 20))
    assert sum(p.answers for p in snapshot.read().profiles) == 4


def test_the_catch_all_is_called_overig_everywhere(team_lead: User) -> None:
    """The loyalty page named customers who fit no segment "anders" while its own help text (and the rest of the
    product: the contact reason "Overig") says "overig": one word for one thing."""
    from django.utils import translation

    from contactpunt.contacts.services.case_actions import TransferReason
    from contactpunt.insights.models import Language
    from contactpunt.people.models import SkillKind

    with translation.override("nl"):
        assert {str(TransferReason.OTHER.label), str(Language.OTHER.label), str(SkillKind.OTHER.label)} == {"overig"}
    _orders([(_customer("x@example.nl"), D(2026, 1, 5), "10"), (_customer("y@example.nl"), D(2026, 2, 5), "5")])
    lead = Client()
    lead.force_login(team_lead)
    html = lead.get(reverse("journey:index"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "'Overig'" in html and "anders" not in html  # the segment, capitalised as the others (Fans, Nieuw)
