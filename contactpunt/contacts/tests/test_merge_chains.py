"""A case merged into a case that was merged again leads to the end of the chain, everywhere."""

from __future__ import annotations

import datetime as dt

import pytest

from contactpunt.contacts.models import Case
from contactpunt.contacts.queries import follow_merges
from contactpunt.contacts.services.cases import merge_cases
from contactpunt.contacts.services.inbound import receive_contact
from contactpunt.contacts.services.merges import final_case_ids
from contactpunt.contacts.services.types import IdentityInput, InboundContact

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)


def mail(at: dt.datetime, ext: str, subject: str = "Vraag") -> InboundContact:
    return InboundContact(
        source="mailbox",
        queue="email-general",
        occurred_at=at,
        external_id=ext,
        identities=(IdentityInput("email", "klant@example.nl"),),
        subject=subject,
        text="Hallo",
    )


@pytest.fixture
def chain(email_queue: object, t0: dt.datetime) -> list[Case]:
    """Cases a, b, c, d: a merged into b, then b into c; d stands alone."""
    cases = [Case.objects.get(pk=receive_contact(mail(t0 + n * H, str(n))).case_id) for n in range(4)]
    a, b, c, _d = cases
    merge_cases(source=a, target=b, by=None)
    merge_cases(source=Case.objects.get(pk=b.pk), target=c, by=None)
    return cases


def test_final_case_ids_follow_every_hop(chain: list[Case]) -> None:
    a, b, c, d = chain

    assert final_case_ids([a.pk, b.pk, c.pk, d.pk]) == {a.pk: c.pk, b.pk: c.pk, c.pk: c.pk, d.pk: d.pk}
    assert follow_merges(Case.objects.get(pk=a.pk)) == c
    assert follow_merges(d) == d
    assert follow_merges(None) is None


def test_a_reply_with_the_token_of_a_twice_merged_case_lands_at_the_end(chain: list[Case], t0: dt.datetime) -> None:
    a, _b, c, _d = chain

    reply = receive_contact(mail(t0 + 10 * H, "reply", subject=f"Re: Vraag [CP-{a.pk}]"))

    assert reply.case_id == c.pk
