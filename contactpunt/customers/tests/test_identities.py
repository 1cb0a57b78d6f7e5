"""Phone numbers: the Dutch mobile shortcut answers what phonenumbers answers."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contactpunt.customers.identities import InvalidIdentity, normalise_phone

EIGHT_DIGITS = st.text(alphabet="0123456789", min_size=8, max_size=8)


def by_phonenumbers(value: str, region: str) -> str:
    number = phonenumbers.parse(value, region)
    assert phonenumbers.is_possible_number(number)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@settings(max_examples=300, deadline=None)
@given(digits=EIGHT_DIGITS, region=st.sampled_from(["NL", "BE", "DE", "GB", "US"]))
def test_dutch_mobiles_in_e164_are_what_phonenumbers_makes_of_them(digits: str, region: str) -> None:
    value = f"+316{digits}"
    assert normalise_phone(value, region) == by_phonenumbers(value, region) == value


@settings(max_examples=300, deadline=None)
@given(digits=EIGHT_DIGITS)
def test_dutch_mobiles_in_the_national_form_are_what_phonenumbers_makes_of_them(digits: str) -> None:
    value = f"06{digits}"
    assert normalise_phone(value, "NL") == by_phonenumbers(value, "NL") == f"+316{digits}"


@pytest.mark.parametrize(
    ("value", "region", "expected"),
    [
        ("06 12345678", "NL", "+31612345678"),  # spaces: phonenumbers reads it
        ("+31 6 1234 5678", "NL", "+31612345678"),
        ("0612345678", "BE", None),  # the national form elsewhere is not a Dutch number
        ("+3161234567", "NL", None),  # one digit short: left to phonenumbers
        ("+316123456789", "NL", None),
        ("+31201234567", "NL", "+31201234567"),  # a landline
    ],
)
def test_other_forms_go_through_phonenumbers(value: str, region: str, expected: str | None) -> None:
    try:
        reference = by_phonenumbers(value, region)
    except (phonenumbers.NumberParseException, AssertionError):
        with pytest.raises(InvalidIdentity):
            normalise_phone(value, region)
        return
    assert normalise_phone(value, region) == reference
    if expected is not None:
        assert reference == expected


def test_digits_of_other_scripts_are_not_taken_for_a_dutch_mobile() -> None:
    value = "+316" + "\u0661" * 8  # Arabic-Indic digits: not the shortcut's
    try:
        reference = by_phonenumbers(value, "NL")
    except (phonenumbers.NumberParseException, AssertionError):
        with pytest.raises(InvalidIdentity):
            normalise_phone(value, "NL")
        return
    assert normalise_phone(value, "NL") == reference
