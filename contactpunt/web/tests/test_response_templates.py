"""The response-templates page per persona, and the reply box's template search."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contactpunt.audit.models import AuditEntry
from contactpunt.conftest import make_user
from contactpunt.contacts.models import Case, Channel, ResponseTemplate
from contactpunt.contacts.services.inbound import receive_contact
from contactpunt.contacts.services.templates import TemplateFields, create_template, retire_template
from contactpunt.contacts.services.types import IdentityInput, InboundContact
from contactpunt.contacts.tests.workspace_data import mail, reason, skill
from contactpunt.people.models import Role, User

pytestmark = pytest.mark.django_db

TEXT = "Beste {first_name}, je kaart is onderweg. Groet, {agent_first_name}"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def template(team_lead: User) -> ResponseTemplate:
    return create_template(by=team_lead, fields=TemplateFields(name="Onderweg", language="nl", text=TEXT))


def form_data(**more: object) -> dict[str, object]:
    return {"name": "Vertraging", "language": "nl", "channel": "", "reason": "", "text": TEXT} | more


def test_a_team_lead_creates_edits_retires_and_restores_a_template_on_the_page(team_lead, template):
    client = client_for(team_lead)
    delivery = reason("bezorging", "Bezorging")
    page = client.get(reverse("responses:list"))
    assert page.status_code == 200
    assert "Onderweg" in page.content.decode() and 'id="new-template"' in page.content.decode()
    assert client.get(reverse("responses:new")).status_code == 200

    response = client.post(
        reverse("responses:new"), form_data(channel=Channel.EMAIL, reason=delivery.pk, language="en", name="Delay")
    )
    assert response.status_code == 302 and response["Location"] == reverse("responses:list")
    created = ResponseTemplate.objects.get(name="Delay")
    assert (created.language, created.channel, created.reason, created.created_by) == (
        "en",
        "email",
        delivery,
        team_lead,
    )

    response = client.post(reverse("responses:edit", args=[template.pk]), form_data(name="Onderweg", text="Hoi!"))
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.text == "Hoi!"

    assert client.post(reverse("responses:retire", args=[template.pk])).status_code == 302
    template.refresh_from_db()
    assert template.is_active is False
    active = client.get(reverse("responses:list")).content.decode()
    retired = client.get(reverse("responses:list") + "?show=retired").content.decode()
    assert f'data-template="{template.pk}"' not in active and f'data-template="{template.pk}"' in retired

    assert client.post(reverse("responses:restore", args=[template.pk])).status_code == 302
    template.refresh_from_db()
    assert template.is_active is True
    assert list(AuditEntry.objects.filter(object_id=str(template.pk)).values_list("action", flat=True)) == [
        "response_template.restored",
        "response_template.retired",
        "response_template.updated",
        "response_template.created",
    ]


def test_the_edit_page_links_the_other_language_and_starts_it_from_this_one(team_lead, template):
    client = client_for(team_lead)
    page = client.get(reverse("responses:edit", args=[template.pk])).content.decode()
    assert f"?name=Onderweg&amp;language=en&amp;from={template.pk}" in page
    start = client.get(reverse("responses:new") + f"?name=Onderweg&language=en&from={template.pk}").content.decode()
    assert 'value="Onderweg"' in start and '<option value="en" selected>' in start and "je kaart is onderweg" in start


def test_an_agent_is_refused_every_part_of_the_page_and_nothing_changes(team, template):
    client = client_for(make_user("piet", Role.AGENT, team))
    assert client.get(reverse("responses:list")).status_code == 403
    assert client.get(reverse("responses:new")).status_code == 403
    assert client.get(reverse("responses:edit", args=[template.pk])).status_code == 403
    assert client.post(reverse("responses:new"), form_data()).status_code == 403
    assert client.post(reverse("responses:edit", args=[template.pk]), form_data(text="Weg")).status_code == 403
    assert client.post(reverse("responses:retire", args=[template.pk])).status_code == 403
    assert client.post(reverse("responses:preview"), {"text": TEXT}).status_code == 403
    template.refresh_from_db()
    assert (template.name, template.text, template.is_active) == ("Onderweg", TEXT, True)
    assert ResponseTemplate.objects.count() == 1
    assert AuditEntry.objects.count() == 1  # only the creation


def test_the_auditor_reads_the_list_but_changes_nothing(team, template):
    client = client_for(make_user("auditor", Role.VIEWER, team))
    page = client.get(reverse("responses:list"))
    assert page.status_code == 200
    assert "Onderweg" in page.content.decode()
    assert 'id="new-template"' not in page.content.decode()
    assert reverse("responses:retire", args=[template.pk]) not in page.content.decode()
    assert client.post(reverse("responses:new"), form_data()).status_code == 403
    assert client.post(reverse("responses:retire", args=[template.pk])).status_code == 403
    template.refresh_from_db()
    assert template.is_active is True


def test_a_bad_id_is_not_found(team_lead):
    client = client_for(team_lead)
    assert client.get(reverse("responses:edit", args=[999])).status_code == 404
    assert client.post(reverse("responses:retire", args=[999])).status_code == 404
    assert client.get("/templates/abc/").status_code == 404


def test_bad_input_is_refused_naming_the_field(team_lead, template):
    client = client_for(team_lead)
    response = client.post(reverse("responses:new"), form_data(text="Beste {naam}"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-text"' in page and "{naam}" in page
    response = client.post(reverse("responses:new"), form_data(name="Onderweg"))  # that name exists in Dutch
    assert response.status_code == 400
    response = client.post(reverse("responses:new"), form_data(language="fr"))
    assert response.status_code == 400 and 'id="error-language"' in response.content.decode()
    assert ResponseTemplate.objects.count() == 1


def test_the_preview_fills_an_example_or_a_case(team_lead, email_queue):
    team_lead.first_name = "Lotte"
    team_lead.save()
    client = client_for(team_lead)
    example = client.post(reverse("responses:preview"), {"text": TEXT}).content.decode()
    assert "Beste Sanne, je kaart is onderweg. Groet, Lotte" in example
    case = mail(email_queue, timezone.now() - dt.timedelta(hours=1), "m1", name="Joost Bakker")
    filled = client.post(
        reverse("responses:preview"), {"text": "{customer_name} {case_token}", "preview_case": case.pk}
    )
    assert f"Joost Bakker [CP-{case.pk}]" in filled.content.decode()
    missing = client.post(reverse("responses:preview"), {"text": "{first_name}", "preview_case": "999999"})
    assert "Sanne" in missing.content.decode() and "999999" in missing.content.decode()


# -- the reply box ---------------------------------------------------------------------------------


@pytest.fixture
def case(email_queue) -> Case:
    email_queue.skills.add(skill("nl"))
    return mail(email_queue, timezone.now() - dt.timedelta(hours=1), "m1")


def test_the_reply_box_searches_the_active_templates_for_the_case(agent, team_lead, case, template):
    agent.skills.add(skill("nl"))
    agent.first_name = "Anna"
    agent.save()
    chat = create_template(
        by=team_lead, fields=TemplateFields(name="Chatgroet", language="nl", text="Hoi", channel="chat")
    )
    old = create_template(by=team_lead, fields=TemplateFields(name="Oud onderweg", language="nl", text="Oud"))
    retire_template(by=team_lead, template=old)
    client = client_for(agent)
    page = client.get(reverse("workspace:case", args=[case.pk])).content.decode()
    assert 'id="template-search"' in page and "web/template-picker" in page

    found = client.get(reverse("workspace:templates", args=[case.pk]), {"q": "onderw"}).content.decode()
    assert f'id="template-option-{template.pk}"' in found
    assert 'data-text="Beste Sanne, je kaart is onderweg. Groet, Anna"' in found
    assert f"template-option-{old.pk}" not in found  # retired
    everything = client.get(reverse("workspace:templates", args=[case.pk])).content.decode()
    assert f"template-option-{chat.pk}" not in everything  # a chat template on an e-mail case
    nothing = client.get(reverse("workspace:templates", args=[case.pk]), {"q": "xyz"}).content.decode()
    assert "template-option" not in nothing and "template-none" in nothing


def test_the_template_search_follows_the_case_permissions(team, case, template):
    auditor = make_user("auditor", Role.VIEWER, team)
    outsider = make_user("otto", Role.AGENT, team)  # no skills: not in the queue
    assert client_for(auditor).get(reverse("workspace:templates", args=[case.pk])).status_code == 403
    assert client_for(outsider).get(reverse("workspace:templates", args=[case.pk])).status_code == 404
    assert client_for(auditor).get(reverse("workspace:templates", args=[99999])).status_code == 404


def test_the_admin_offers_templates_and_saves_through_the_services(team):
    admin = User.objects.create_superuser(username="beheer", password="pw-beheer", role=Role.ADMIN)
    client = client_for(admin)
    assert client.get(reverse("admin:contacts_responsetemplate_changelist")).status_code == 200
    response = client.post(
        reverse("admin:contacts_responsetemplate_add"),
        {"name": "Welkom", "language": "nl", "channel": "", "reason": "", "text": "Hoi {first_name}"},
    )
    assert response.status_code == 302
    created = ResponseTemplate.objects.get(name="Welkom")
    assert created.created_by == admin
    assert AuditEntry.objects.filter(action="response_template.created", object_id=str(created.pk)).exists()
    refused = client.post(
        reverse("admin:contacts_responsetemplate_add"),
        {"name": "Fout", "language": "nl", "channel": "", "reason": "", "text": "Hoi {naam}"},
    )
    assert refused.status_code == 200 and not ResponseTemplate.objects.filter(name="Fout").exists()


def test_an_english_customer_is_offered_the_english_version_first(agent, team_lead, email_queue, template):
    email_queue.skills.add(skill("nl"))
    agent.skills.add(skill("nl"))
    english = create_template(
        by=team_lead, fields=TemplateFields(name="Onderweg", language="en", text="Dear {first_name}, it is on its way.")
    )
    received = receive_contact(
        InboundContact(
            source="mailbox",
            queue=email_queue.code,
            occurred_at=timezone.now() - dt.timedelta(hours=1),
            external_id="m-en",
            channel=Channel.EMAIL,
            identities=(IdentityInput("email", "john@example.com"),),
            customer_name="John Smith",
            language="en",
            subject="Where is my order?",
            text="I ordered last week.",
        )
    )
    found = client_for(agent).get(reverse("workspace:templates", args=[received.case_id]), {"q": "onderweg"})
    page = found.content.decode()
    assert page.index(f"template-option-{english.pk}") < page.index(f"template-option-{template.pk}")
    assert 'data-text="Dear John, it is on its way."' in page
