"""What every app needs to export or erase one customer's data: the customer's scope (their merged-away
records, cases, contacts, messages and identity values), a registry of export sections, a search of
stored bytes, and the SQLite checkpoint that leaves no old page behind.

Other apps register in their AppConfig.ready(): an export section with `register_export`, their
erasure with `announcements.subscribe_now(Announcement.CUSTOMER_ERASED, ...)`. `contacts` imports none
of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models

from contactpunt.contacts.models import Case, Contact, Message
from contactpunt.customers.models import Customer, Identity

#: Identity values shorter than this are not searched for in stored bytes (they would match anything).
MIN_NEEDLE = 5


@dataclass(frozen=True, slots=True)
class CustomerScope:
    """Everything that belongs to one customer, by id (the customer and every customer merged into it)."""

    customer_ids: list[int]
    case_ids: list[int]
    contact_ids: list[int]
    message_ids: list[int]
    identities: list[tuple[str, str]]  # (kind, value)

    @property
    def needles(self) -> list[str]:
        """The identity values worth searching stored bytes for (addresses, numbers, handles)."""
        values = set()
        for kind, stored in self.identities:
            value = stored.strip()
            values.add(value)
            if kind in ("phone", "whatsapp"):
                # Platforms write numbers without the plus (WhatsApp's wa_id) or with separators.
                values.add("".join(ch for ch in value if ch.isdigit()))
        return sorted(v for v in values if len(v) >= MIN_NEEDLE)

    @property
    def emails(self) -> list[str]:
        return sorted({value for kind, value in self.identities if kind == "email"})


def customer_scope(customer_id: int) -> CustomerScope:
    """Return the scope of `customer_id`, following merges (a merged-away customer is the same person)."""
    customer_ids = [customer_id]
    frontier = [customer_id]
    while frontier:
        frontier = list(Customer.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True))
        frontier = [pk for pk in frontier if pk not in customer_ids]
        customer_ids.extend(frontier)
    case_ids = list(Case.objects.filter(customer_id__in=customer_ids).values_list("pk", flat=True))
    contact_ids = list(
        Contact.objects.filter(models.Q(customer_id__in=customer_ids) | models.Q(case_id__in=case_ids)).values_list(
            "pk", flat=True
        )
    )
    message_ids = list(
        Message.objects.filter(models.Q(case_id__in=case_ids) | models.Q(contact_id__in=contact_ids)).values_list(
            "pk", flat=True
        )
    )
    identities = list(Identity.objects.filter(customer_id__in=customer_ids).values_list("kind", "value"))
    return CustomerScope(customer_ids, case_ids, contact_ids, message_ids, identities)


# -- export sections ---------------------------------------------------------------------------------------------

ExportSection = Callable[[CustomerScope], Any]
_sections: dict[str, ExportSection] = {}


def register_export(name: str, section: ExportSection) -> None:
    """Add `name` to every customer export, filled by `section(scope)` (JSON-ready data)."""
    _sections[name] = section


def export_sections(scope: CustomerScope) -> dict[str, Any]:
    """Every registered section of the export, by name."""
    return {name: section(scope) for name, section in sorted(_sections.items())}


# -- stored bytes --------------------------------------------------------------------------------------------------


def pks_containing(model: type[models.Model], field: str, needles: Iterable[str]) -> set[int]:
    """The primary keys of `model` rows whose binary or text column `field` contains any of `needles`
    (case-sensitive, as bytes: UTF-8)."""
    column = model._meta.get_field(field).column  # type: ignore[union-attr]
    assert column is not None
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = connection.ops.quote_name(column)
    if connection.vendor == "postgresql":
        condition = f"position(%s::bytea in {quoted}) > 0"
    else:
        condition = f"instr(CAST({quoted} AS BLOB), %s) > 0"
    found: set[int] = set()
    with connection.cursor() as cursor:
        for needle in needles:
            if not needle:
                continue
            # Table and column are quoted names from the model, never input.
            cursor.execute(f"SELECT id FROM {table} WHERE {condition}", [needle.encode("utf-8")])  # noqa: S608
            found.update(row[0] for row in cursor.fetchall())
    return found


def opaque(value: str) -> str:
    """An external id (a Message-ID, a platform's message id) that named an erased customer, made opaque: the same
    input always gives the same value, and nothing of it can be read back."""
    return "erased:" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def make_opaque(model: type[models.Model], field: str, pks: Iterable[int], needles: Iterable[str]) -> int:
    """Replace `field` (an external id) by `opaque(value)` on the rows of `pks` where it contains a needle; return
    how many. Ids that name nobody stay as they are: they keep a repeat delivery from being taken in twice."""
    wanted = sorted(set(pks))
    naming = models.Q()
    for needle in needles:
        if needle:
            naming |= models.Q(**{f"{field}__icontains": needle})
    if not wanted or not naming:
        return 0
    found = list(model._default_manager.filter(naming, pk__in=wanted).values_list("pk", field))
    for pk, value in found:
        model._default_manager.filter(pk=pk).update(**{field: opaque(value)})
    return len(found)


def checkpoint() -> None:
    """On SQLite, copy the write-ahead log into the database file and empty it (TRUNCATE), so that no old page
    with erased data stays in the log. With `secure_delete` on, freed pages are already zeroed.

    PostgreSQL keeps dead row versions until VACUUM reclaims them (autovacuum does so in time; a plain VACUUM of
    the touched tables makes the space reusable but does not overwrite it, VACUUM FULL rewrites the table but
    locks it): see docs/privacy.md."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
