"""Wrong passwords are throttled per account and per address, with a Dutch page saying how long to
wait and an audit line; a good login before the limit clears the count."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from contactpunt.audit.models import AuditEntry
from contactpunt.conftest import make_user
from contactpunt.people.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("throttled")]


@pytest.fixture
def throttled():
    with override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5):
        yield


def attempt(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_twenty_wrong_passwords_lock_the_account_and_the_right_one_is_refused(team):
    make_user("anna", Role.AGENT, team)
    client = Client()
    statuses = [attempt(client, "anna", "wrong").status_code for _ in range(20)]
    right = attempt(client, "anna", "pw-anna")

    assert statuses[:4] == [200] * 4  # the login form again, with its error
    assert set(statuses[5:]) == {429}
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    page = right.content.decode()
    assert "Te veel pogingen" in page and "15 minuten" in page
    entry = AuditEntry.objects.get(action="login_locked_out")
    assert (entry.object_id, entry.changes["address"]) == ("anna", "10.0.0.1")


def test_the_account_is_locked_from_another_address_too(team):
    make_user("anna", Role.AGENT, team)
    for position in range(5):
        attempt(Client(), "anna", "wrong", address=f"10.0.0.{position + 10}")
    assert attempt(Client(), "anna", "pw-anna", address="10.9.9.9").status_code == 429


def test_one_address_guessing_many_accounts_is_locked(team):
    for name in ("anna", "bram", "carla", "daan", "eva", "fenna"):
        make_user(name, Role.AGENT, team)
    for name in ("anna", "bram", "carla", "daan", "eva"):
        attempt(Client(), name, "wrong", address="10.6.6.6")
    assert attempt(Client(), "fenna", "pw-fenna", address="10.6.6.6").status_code == 429
    assert attempt(Client(), "fenna", "pw-fenna", address="10.7.7.7").status_code == 302


def test_a_good_login_before_the_limit_clears_the_count(team):
    make_user("anna", Role.AGENT, team)
    for _ in range(4):
        attempt(Client(), "anna", "wrong")
    assert attempt(Client(), "anna", "pw-anna").status_code == 302
    for _ in range(4):
        attempt(Client(), "anna", "wrong")
    assert attempt(Client(), "anna", "pw-anna").status_code == 302
    assert not AuditEntry.objects.filter(action="login_locked_out").exists()
