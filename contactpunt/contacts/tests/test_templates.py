"""Response templates: team leads create, edit and retire them (audited); agents are offered the ones that fit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from contactpunt.audit.models import AuditEntry
from contactpunt.conftest import T0, make_user
from contactpunt.contacts.models import Channel, ResponseTemplate, TemplateLanguage
from contactpunt.contacts.services.templates import (
    VARIABLES,
    TemplateFields,
    create_template,
    offered_templates,
    render_template,
    restore_template,
    retire_template,
    update_template,
)
from contactpunt.contacts.template_variables import TEMPLATE_VARIABLES, TEMPLATE_VARIABLES_NL
from contactpunt.contacts.tests.workspace_data import mail, reason
from contactpunt.people.models import Role

pytestmark = pytest.mark.django_db

EN = TemplateLanguage.ENGLISH


def fields(name: str = "Onderweg", text: str = "Beste {first_name}, je kaart is onderweg.", **more: object):
    return TemplateFields(name=name, language=str(more.pop("language", "nl")), text=text, **more)


def test_every_variable_is_described_for_the_page_and_has_a_dutch_name():
    assert tuple(VARIABLES) == TEMPLATE_VARIABLES
    assert sorted(TEMPLATE_VARIABLES_NL.values()) == sorted(TEMPLATE_VARIABLES)


def test_a_team_lead_creates_edits_and_retires_a_template_and_each_step_is_audited(team_lead):
    delivery = reason("bezorging", "Bezorging")
    template = create_template(by=team_lead, fields=fields(channel=Channel.EMAIL, reason=delivery))
    assert (template.name, template.language, template.channel, template.reason, template.is_active) == (
        "Onderweg",
        "nl",
        "email",
        delivery,
        True,
    )
    assert template.created_by == team_lead

    update_template(by=team_lead, template=template, fields=fields(text="Hoi {first_name}, je kaart komt eraan."))
    template.refresh_from_db()
    assert (template.text, template.channel, template.reason) == ("Hoi {first_name}, je kaart komt eraan.", "", None)

    retire_template(by=team_lead, template=template)
    template.refresh_from_db()
    assert template.is_active is False and template.retired_at is not None
    retire_template(by=team_lead, template=template)  # twice changes nothing

    entries = list(AuditEntry.objects.filter(object_id=str(template.pk)).order_by("id"))
    assert [e.action for e in entries] == [
        "response_template.created",
        "response_template.updated",
        "response_template.retired",
    ]
    assert entries[0].actor == team_lead
    assert entries[1].changes == {
        "text": ["Beste {first_name}, je kaart is onderweg.", "Hoi {first_name}, je kaart komt eraan."],
        "channel": ["email", ""],
        "reason": [delivery.pk, None],
    }

    restore_template(by=team_lead, template=template)
    template.refresh_from_db()
    assert template.is_active is True and template.retired_at is None


def test_an_edit_without_changes_writes_no_audit_entry(team_lead):
    template = create_template(by=team_lead, fields=fields())
    update_template(by=team_lead, template=template, fields=fields())
    assert AuditEntry.objects.filter(action="response_template.updated").count() == 0


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
def test_agents_and_auditors_may_not_manage_templates_and_are_told_why_in_dutch(role, team, team_lead):
    person = make_user("piet", role, team)
    template = create_template(by=team_lead, fields=fields())
    with translation.override("nl"):
        with pytest.raises(PermissionDenied) as refused:
            create_template(by=person, fields=fields(name="Anders"))
        assert str(refused.value) == "Alleen teamleiders, managers en beheerders beheren antwoordsjablonen."
        with pytest.raises(PermissionDenied):
            update_template(by=person, template=template, fields=fields(text="Weg ermee"))
        with pytest.raises(PermissionDenied):
            retire_template(by=person, template=template)
    template.refresh_from_db()
    assert (template.text, template.is_active) == ("Beste {first_name}, je kaart is onderweg.", True)
    assert ResponseTemplate.objects.count() == 1
    assert AuditEntry.objects.exclude(action="response_template.created").count() == 0


def test_an_unknown_variable_or_a_name_used_twice_in_one_language_is_refused_by_field(team_lead):
    with pytest.raises(ValidationError) as refused:
        create_template(by=team_lead, fields=fields(text="Beste {naam}, {first_name}"))
    assert list(refused.value.message_dict) == ["text"]
    assert "{naam}" in refused.value.message_dict["text"][0]

    create_template(by=team_lead, fields=fields())
    with pytest.raises(ValidationError) as twice:
        create_template(by=team_lead, fields=fields(text="Nog een keer"))
    assert "__all__" in twice.value.message_dict
    english = create_template(
        by=team_lead, fields=fields(text="Dear {first_name}, your card is on its way.", language=EN)
    )
    assert english.language == "en"  # the same name in the other language is its linked version
    assert ResponseTemplate.objects.filter(name="Onderweg").count() == 2


def test_a_template_is_rendered_with_the_case_and_the_agent(team_lead, email_queue):
    team_lead.first_name, team_lead.last_name = "Lotte", "Jansen"
    team_lead.save()
    case = mail(email_queue, T0, "m1")
    template = create_template(
        by=team_lead,
        fields=fields(text="Beste {customer_name}, zaak {case_number} ({case_token}) uit {queue}. {agent_name}"),
    )
    assert render_template(template, case=case, agent=team_lead) == (
        f"Beste Sanne de Vries, zaak {case.pk} ([CP-{case.pk}]) uit E-mail algemeen. Lotte Jansen"
    )


def test_offered_templates_fit_the_channel_then_rank_reason_and_language_and_never_retired(team_lead):
    delivery = reason("bezorging", "Bezorging")
    payment = reason("betaling", "Betaling")

    def make(name: str, language: str = "nl", **more: object) -> ResponseTemplate:
        return create_template(by=team_lead, fields=fields(name=name, text=f"Tekst {name}", language=language, **more))

    generic = make("Algemeen")
    generic_en = make("Algemeen", language=EN)
    for_delivery = make("Bezorging", reason=delivery)
    for_payment = make("Betaling", reason=payment)
    chat_only = make("Chat", channel=Channel.CHAT)
    email_only = make("Mail", channel=Channel.EMAIL)
    retired = make("Oud")
    retire_template(by=team_lead, template=retired)

    offered = offered_templates(channel=Channel.EMAIL, reason_id=delivery.pk, language="nl")
    assert offered == [for_delivery, email_only, generic, generic_en, for_payment]
    assert chat_only not in offered and retired not in offered

    in_english = offered_templates(channel=Channel.CHAT, reason_id=None, language="en")
    assert in_english == [generic_en, chat_only, generic, for_payment, for_delivery]  # then by name

    assert offered_templates(channel=Channel.EMAIL, reason_id=None, language="nl", query="tekst bezor") == [
        for_delivery
    ]
    assert offered_templates(channel=Channel.EMAIL, reason_id=None, language="nl", query="oud") == []
    # An agent types the contact reason ("Betaling"), not the template's name: the walk's "lever" found nothing.
    refund = make("Geld terug", reason=payment)  # neither its name nor its text says "betaling"
    assert offered_templates(channel=Channel.EMAIL, reason_id=None, language="nl", query="betaling geld") == [refund]


def test_a_dutch_template_may_use_the_dutch_variable_names(team_lead, email_queue):
    team_lead.first_name = "Lotte"
    team_lead.save()
    case = mail(email_queue, T0, "m1")
    template = create_template(
        by=team_lead, fields=fields(text="Hoi {voornaam}, over {zaakkenmerk}. Groet, {medewerker_voornaam}")
    )
    assert render_template(template, case=case, agent=team_lead) == f"Hoi Sanne, over [CP-{case.pk}]. Groet, Lotte"
    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        create_template(by=team_lead, fields=fields(name="Fout", text="{klant}"))
    assert "{klant}" in refused.value.message_dict["text"][0] and "{voornaam}" in refused.value.message_dict["text"][0]
