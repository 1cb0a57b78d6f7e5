"""Normalising identities, so the same person is recognised however their address was written."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers

from contactpunt.customers.models import IdentityKind

# Values that mean "no identity" rather than an identity: withheld numbers, placeholder ids.
_ANONYMOUS = frozenset(
    {
        "",
        "0",
        "00",
        "anonymous",
        "anoniem",
        "unknown",
        "onbekend",
        "private",
        "withheld",
        "restricted",
        "unavailable",
        "null",
        "none",
        "n/a",
    }
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A Dutch mobile number as it is written most: already in E.164 (+316 and eight digits), or in the national
# form (06 and eight digits) read in the Netherlands. phonenumbers answers the same for these, at far more cost.
_DUTCH_MOBILE_E164 = re.compile(r"\+316[0-9]{8}")
_DUTCH_MOBILE_NATIONAL = re.compile(r"06[0-9]{8}")


@dataclass(frozen=True, slots=True)
class IdentityKey:
    """A normalised identity: what the Identity table is unique on."""

    kind: str
    namespace: str
    value: str


class InvalidIdentity(ValueError):
    """The value cannot be an identity of its kind (not an email address, not a phone number)."""


def normalise_email(value: str) -> str:
    """Return the address case-folded and stripped; raise InvalidIdentity when it is not an address."""
    address = value.strip().strip("<>").strip().casefold()
    if len(address) > 320 or not _EMAIL.match(address):
        raise InvalidIdentity(f"not an email address: {value[:80]!r}")
    return address


def normalise_phone(value: str, region: str) -> str:
    """Return the number in E.164, reading numbers without a country code as in `region`."""
    if _DUTCH_MOBILE_E164.fullmatch(value):
        return value
    if region == "NL" and _DUTCH_MOBILE_NATIONAL.fullmatch(value):
        return "+31" + value[1:]
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidIdentity(f"not a phone number: {value[:80]!r}") from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidIdentity(f"not a possible phone number: {value[:80]!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_anonymous(value: str) -> bool:
    """True for a withheld caller, an id 0 or another placeholder that identifies nobody."""
    stripped = value.strip().casefold()
    return stripped in _ANONYMOUS or stripped.strip("0+- ") == ""


@functools.lru_cache(maxsize=65_536)
def normalise(kind: str, value: str, *, namespace: str = "", region: str = "NL") -> IdentityKey | None:
    """Return the identity's normalised key, or None when the value identifies nobody.

    Raise InvalidIdentity when the value is present but malformed for its kind. Remembered (the key
    is frozen): returning customers write from the same addresses and numbers, and parsing a phone
    number costs more than writing its contact. A malformed value raises every time.
    """
    if is_anonymous(value):
        return None
    if kind == IdentityKind.EMAIL:
        return IdentityKey(kind, "", normalise_email(value))
    if kind in (IdentityKind.PHONE, IdentityKind.WHATSAPP):
        return IdentityKey(kind, "", normalise_phone(value, region))
    if kind == IdentityKind.SOCIAL:
        handle = value.strip()
        return IdentityKey(kind, namespace.strip().casefold(), handle.casefold()[:320])
    if kind == IdentityKind.EXTERNAL:
        return IdentityKey(kind, namespace.strip(), value.strip()[:320])
    raise InvalidIdentity(f"unknown identity kind: {kind!r}")
