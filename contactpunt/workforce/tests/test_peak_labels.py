"""The peak calendar names its peaks in the user's language, never by their codes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from contactpunt.conftest import make_user
from contactpunt.people.models import Role
from contactpunt.web.tests.screens import visible_text
from contactpunt.workforce import peaks

pytestmark = pytest.mark.django_db


def test_the_peak_calendar_shows_labels_not_codes(team):
    peaks.save_peak(name="valentines_day", date=None, days_before=7, days_after=0, uplift=None)
    client = Client()
    client.force_login(make_user("marieke", Role.MANAGER, team))
    page = client.get(reverse("workforce:peaks")).content.decode()
    text = visible_text(page)
    assert "Valentijnsdag" in text and "Black Friday" in text
    assert not any("_" in word for word in text.split()), [w for w in text.split() if "_" in w]
    assert "elk jaar" in text and "regel" not in text.split()
    assert '<option value="valentines_day">Valentijnsdag</option>' in page
