"""What customers agreed to: whether one may be approached for a purpose on a channel, read from their consent
records (`Consent`, never changed; the latest that applies decides).

For a purpose on a channel the records of that channel and those for every channel apply; the latest of them
decides. Asked without a channel (before one is chosen, e.g. whether to survey at all) only the records for every
channel apply. Without any record, service messages and surveys are allowed (the customer can say no) and offers
and loyalty moments are not (they need a yes first). These reads check no permission: they decide what the
product sends; what a user may see goes through `contactpunt.access.consents_for`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from contactpunt.customers.models import WITHOUT_OPT_IN, Consent, ConsentChannel, ConsentPurpose
from contactpunt.id_filters import ids_in

_CHUNK = 900  # a database's limit of query parameters


def permitted(customer_ids: Iterable[int], purpose: str, channel: str = ConsentChannel.ANY) -> set[int]:
    """The customers among `customer_ids` who may be approached for `purpose` on `channel` (a ConsentChannel;
    "" asks about every channel at once)."""
    wanted = sorted(set(customer_ids))
    latest: dict[int, bool] = {}
    channels = {ConsentChannel.ANY, channel}
    for start in range(0, len(wanted), _CHUNK):
        rows = Consent.objects.filter(
            ids_in("customer_id", wanted[start : start + _CHUNK]), purpose=purpose, channel__in=channels
        ).order_by("customer_id", "given_at", "id")
        latest.update(rows.values_list("customer_id", "is_granted"))  # the last row per customer wins
    default = purpose in WITHOUT_OPT_IN
    return {pk for pk in wanted if latest.get(pk, default)}


def refusing(customer_ids: Iterable[int], purpose: str, channel: str = ConsentChannel.ANY) -> set[int]:
    """The customers among `customer_ids` who may not be approached for `purpose` on `channel`."""
    wanted = set(customer_ids)
    return wanted - permitted(wanted, purpose, channel)


def is_permitted(customer_id: int, purpose: str, channel: str = ConsentChannel.ANY) -> bool:
    return customer_id in permitted([customer_id], purpose, channel)


@dataclass(frozen=True, slots=True)
class PurposeState:
    """A purpose as the customer panel shows it: allowed on every channel or not, the channels that differ, and
    the record that decided (None: nobody recorded anything, the default holds)."""

    purpose: str
    label: str
    is_allowed: bool
    exceptions: dict[str, bool]  # channel -> allowed, where a later record for that channel says otherwise
    decided_by: Consent | None

    @property
    def named_exceptions(self) -> list[tuple[str, bool]]:
        """The exceptions with the channels' names in the active language ("e-mail" for "email")."""
        return [(str(ConsentChannel(channel).label), allowed) for channel, allowed in self.exceptions.items()]


def overview(records: Iterable[Consent]) -> list[PurposeState]:
    """Each purpose's state from one customer's records (any order)."""
    ordered = sorted(records, key=lambda r: (r.given_at, r.pk))
    states = []
    for purpose in ConsentPurpose:
        mine = [r for r in ordered if r.purpose == purpose]
        general = [r for r in mine if r.channel == ConsentChannel.ANY]
        decided = general[-1] if general else None
        allowed = decided.is_granted if decided else purpose in WITHOUT_OPT_IN
        exceptions: dict[str, bool] = {}
        for record in mine:
            if record.channel and (decided is None or (record.given_at, record.pk) > (decided.given_at, decided.pk)):
                exceptions[record.channel] = record.is_granted
        exceptions = {c: v for c, v in exceptions.items() if v != allowed}
        states.append(PurposeState(purpose, str(purpose.label), allowed, exceptions, mine[-1] if mine else None))
    return states
