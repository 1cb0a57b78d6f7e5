"""The demo's response templates fit the greeting-card shop's contact reasons and channels."""

from __future__ import annotations

import pytest

from contactpunt.conftest import make_user
from contactpunt.contacts.models import Channel, ContactReason, ResponseTemplate
from contactpunt.contacts.services.templates import offered_templates
from contactpunt.ops.demo_templates import TEMPLATES, create_demo_templates
from contactpunt.people.models import Role
from contactpunt.simulation.scenarios import GREETING_CARDS, build_organisation

pytestmark = pytest.mark.django_db


def test_the_demo_templates_are_made_for_the_shop_s_reasons_in_dutch_and_english():
    build_organisation(GREETING_CARDS, [])
    lead = make_user("teamlead", Role.TEAM_LEAD)
    assert create_demo_templates(by=lead) == len(TEMPLATES) == ResponseTemplate.objects.count()

    meant_for = {t.reason for t in TEMPLATES if t.reason}
    assert meant_for <= {r.code for r in GREETING_CARDS.reasons}  # no template lost its reason
    assert ResponseTemplate.objects.filter(reason__isnull=False).count() == sum(1 for t in TEMPLATES if t.reason)
    languages = list(ResponseTemplate.objects.values_list("language", flat=True))
    assert languages.count("nl") >= 15 and 4 <= languages.count("en") < languages.count("nl")
    # every English template is the linked version of a Dutch one or stands for a Dutch one on the same reason
    # under the Dutch one's name: the team's list is Dutch, the language column says which is which
    # ("Forgotten password" and "Refund on its way" stood in it beside Dutch names)
    for english in ResponseTemplate.objects.filter(language="en"):
        assert ResponseTemplate.objects.filter(language="nl", reason=english.reason).exists()
        assert ResponseTemplate.objects.filter(language="nl", name=english.name).exists()

    late = ContactReason.objects.get(code="levering-vertraagd")
    offered = offered_templates(channel=Channel.EMAIL, reason_id=late.pk, language="nl")
    assert [(t.name, t.language) for t in offered[:2]] == [
        ("Vertraging bij de bezorging", "nl"),
        ("Vertraging bij de bezorging", "en"),
    ]
