"""The batch's reads, one query each for the whole batch."""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery

from contactpunt.contacts.models import (
    Case,
    CaseThreadKey,
    Contact,
)
from contactpunt.contacts.privacy import opaque
from contactpunt.contacts.services.inbound.state import BatchState, Known
from contactpunt.contacts.services.inbound.threads import own_keys, reply_keys, token_case_ids
from contactpunt.contacts.services.inbound.validate import Prepared
from contactpunt.contacts.services.merges import final_case_ids
from contactpunt.customers.identities import IdentityKey
from contactpunt.customers.models import Account, Customer, Identity
from contactpunt.id_filters import texts_in


class Lookups(BatchState):
    # -- lookups, one query each for the whole batch --

    def _existing_contacts(self, valid: list[Prepared]) -> dict[tuple[str, str], Contact]:
        by_source: dict[str, set[str]] = {}
        for p in valid:
            if p.contact.external_id:
                by_source.setdefault(p.contact.source, set()).add(p.contact.external_id)
        found: dict[tuple[str, str], Contact] = {}
        for source, ids in by_source.items():
            # An erased customer's external id that named them is stored opaque (privacy.opaque): a repeat
            # delivery of it is still the same contact, and nothing of it is stored again.
            erased = {opaque(external_id): external_id for external_id in ids}
            rows = Contact.objects.filter(texts_in("external_id", [*ids, *erased]), source=source).only(
                "id", "case_id", "customer_id", "source", "external_id"
            )
            for row in rows:
                stored = row.external_id or ""
                found[(row.source, erased.get(stored, stored))] = row
        return found

    def _load_identities(self, fresh: list[Prepared]) -> None:
        wanted = {key for p in fresh for key in p.identities}
        if not wanted:
            return
        # One condition per (kind, namespace), so the lookup runs on the unique index that starts
        # with those columns rather than scanning every identity.
        groups: dict[tuple[str, str], set[str]] = {}
        for key in wanted:
            groups.setdefault((key.kind, key.namespace), set()).add(key.value)
        condition = Q()
        for (kind, namespace), values in groups.items():
            condition |= Q(texts_in("value", values), kind=kind, namespace=namespace)
        # Each identity's customer comes with that customer's latest case (the previous case of a new one): one
        # statement. A customer merged away since points at another, whose latest case is looked up after.
        rows = Identity.objects.filter(condition).select_related("customer")
        rows = rows.annotate(latest_case_id=_latest_case("customer_id"))
        merged: set[int] = set()
        for row in rows:
            key = IdentityKey(row.kind, row.namespace, row.value)
            if key in wanted:
                customer = follow_customer_merges(row.customer)
                self.identities[key] = Known(customer, row.is_shared)
                if customer is not None and customer is row.customer:
                    self.latest_case_ids[customer.pk] = row.latest_case_id
                elif customer is not None:
                    merged.add(customer.pk)
        if merged:
            latest_rows = Customer.objects.filter(pk__in=merged).annotate(latest=_latest_case("pk"))
            self.latest_case_ids.update(latest_rows.values_list("pk", "latest"))

    def _load_thread_cases(self, fresh: list[Prepared]) -> None:
        keys: set[str] = set()
        token_ids: set[int] = set()
        for p in fresh:
            keys.update(reply_keys(p.contact))
            keys.update(own_keys(p.contact))
            token_ids.update(token_case_ids(p.contact))
        if keys:
            for thread_key in CaseThreadKey.objects.filter(key__in=keys).select_related("case"):
                self.thread_cases[thread_key.key] = thread_key.case
        if token_ids:
            for case in Case.objects.filter(pk__in=token_ids):
                self.thread_cases[f"token:{case.pk}"] = case
        merged = {c.merged_into_id for c in self.thread_cases.values() if c.merged_into_id}
        if merged:
            # Merged again, maybe: follow each chain to its end.
            final = final_case_ids(merged)
            targets = Case.objects.in_bulk(set(final.values()))
            for key, case in list(self.thread_cases.items()):
                if case.merged_into_id in final:
                    self.thread_cases[key] = targets[final[case.merged_into_id]]

    def _load_accounts(self, fresh: list[Prepared]) -> None:
        refs = {p.contact.account_ref for p in fresh if p.contact.account_ref}
        if refs:
            self.accounts = {a.external_ref: a for a in Account.objects.filter(external_ref__in=refs)}


def follow_customer_merges(customer: Customer | None) -> Customer | None:
    seen = 0
    while customer is not None and customer.merged_into_id is not None and seen < 10:
        customer = customer.merged_into
        seen += 1
    return customer


def _latest_case(customer: str) -> Subquery:
    """The id of the latest case of the customer the outer query's `customer` column names."""
    return Subquery(Case.objects.filter(customer=OuterRef(customer)).order_by("-opened_at", "-id").values("id")[:1])
