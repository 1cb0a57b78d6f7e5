"""The portal's web form: errors named per field, one contact per form however often it is sent, the reply by
email, the attachment kept, and spam kept out (the hidden field, the rate per address, an unsigned key)."""

from __future__ import annotations

import base64
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import translation

from contactpunt.channels.webform.forms import new_key
from contactpunt.contacts.models import Attachment, Case, Channel, Contact, FallbackReason, Message, Queue
from contactpunt.customers.models import Customer
from contactpunt.people.models import Department

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def webform_queue(department: Department) -> Queue:
    return Queue.objects.create(
        code="webform-general", name="Webformulier", channel=Channel.WEBFORM, department=department
    )


def good(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Sanne de Vries",
        "email": "Sanne@Example.nl",
        "subject": "Kaart niet ontvangen",
        "message": "Ik heb op 10 februari een kaart besteld.\r\nDie is nog niet bezorgd.",
        "order_number": "A-1234",
        "website": "",
        "key": new_key(),
    }
    data.update(changes)
    return data


def test_the_form_page_renders_with_a_signed_key(client: Client, webform_queue):
    response = client.get("/channels/form/")
    assert response.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in response.content
    key = re.search(rb'name="key" value="([^"]+)"', response.content)
    assert key is not None and key.group(1).count(b":") == 2  # value:timestamp:signature


def test_bad_fields_are_named_and_nothing_is_stored(client: Client, webform_queue):
    response = client.post(
        "/channels/form/",
        good(name="  ", email="geen-adres", subject="\x00\x07", message="", order_number="12;DROP", key="forged"),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"name", "email", "subject", "message", "order_number", "key"}
    assert errors["email"] == ["Voer een geldig e-mailadres in."]
    html = response.content.decode()
    assert 'href="#id_email"' in html and 'id="id_email_error"' in html and 'aria-invalid="true"' in html
    # The visitor's text stays in the form; the expired key is replaced by a fresh one.
    assert "12;DROP" in html
    assert response.context["form"].data["key"] != "forged"
    assert not Contact.objects.exists()


def test_a_good_form_is_one_webform_contact_and_sending_it_again_does_not_double_it(client: Client, webform_queue):
    data = good(attachment=SimpleUploadedFile("bon.pdf", b"%PDF-1.4 bon", content_type="application/pdf"))
    response = client.post("/channels/form/", data)
    assert response.status_code == 302
    confirmation = client.get(response["Location"])
    case = Case.objects.get()
    assert confirmation.context["token"] == f"[CP-{case.pk}]"
    assert f"[CP-{case.pk}]" in confirmation.content.decode()
    # The confirmation's address holds the case, signed, but never the customer's e-mail address: a signed value is
    # readable, and the URL lands in histories and logs.
    signed = response["Location"].split("ref=")[1].split(":")[0]
    assert "example" not in base64.urlsafe_b64decode(signed + "==").decode().lower()
    again = client.post("/channels/form/", {**data, "attachment": SimpleUploadedFile("bon.pdf", b"%PDF-1.4 bon")})
    assert client.get(again["Location"]).context["token"] == f"[CP-{case.pk}]"
    contact = Contact.objects.get()
    assert (contact.channel, contact.queue, contact.source, contact.sender) == (
        Channel.WEBFORM,
        webform_queue,
        "webform",
        "Sanne@Example.nl",
    )
    assert (case.subject, case.channel) == ("Kaart niet ontvangen", Channel.WEBFORM)
    assert Customer.objects.get().display_name == "Sanne de Vries"
    message = Message.objects.get()
    with translation.override("nl"):
        label = translation.gettext("Order number")
    assert message.text == f"Ik heb op 10 februari een kaart besteld.\nDie is nog niet bezorgd.\n\n{label}: A-1234"
    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.size, attachment.message) == ("bon.pdf", 12, message)


def test_an_attachment_of_a_kind_not_taken_is_named(client: Client, webform_queue):
    response = client.post("/channels/form/", good(attachment=SimpleUploadedFile("virus.exe", b"MZ")))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["attachment"]
    assert not Contact.objects.exists()


def test_the_hidden_field_filled_in_is_thanked_but_not_stored(client: Client, webform_queue):
    response = client.post("/channels/form/", good(website="http://spam.example"))
    assert response.status_code == 302
    assert client.get(response["Location"]).context["token"] == ""
    assert not Contact.objects.exists()


@override_settings(WEBFORM_RATE_PER_IP=(2, 600))
def test_more_forms_than_the_rate_are_refused_with_the_text_kept(client: Client, webform_queue):
    for _ in range(2):
        assert client.post("/channels/form/", good()).status_code == 302
    refused = client.post("/channels/form/", good(subject="Derde vraag"))
    assert refused.status_code == 429
    assert "Derde vraag" in refused.content.decode()
    assert Contact.objects.count() == 2


def test_the_embedded_form_may_be_framed_by_allowed_sites_and_needs_no_csrf_cookie(webform_queue):
    client = Client(enforce_csrf_checks=True)
    with override_settings(
        WEBCHAT_ALLOWED_ORIGINS=["https://shop.example"], ALLOWED_HOSTS=["testserver", ".kaartenhuis.nl", "[::1]"]
    ):
        page = client.get("/channels/form/embed/")
        # the chat's sites, and the product's own hosts on any port (as the chat's origin check allows them)
        directives = dict(part.strip().split(" ", 1) for part in page["Content-Security-Policy"].split(";"))
        assert directives["frame-ancestors"] == (
            "'self' https://shop.example testserver:* *.kaartenhuis.nl:* kaartenhuis.nl:*"
        )
        assert directives["script-src"] == "'self'"  # the product's policy holds on the embed too
        assert "X-Frame-Options" not in page
        sent = client.post("/channels/form/embed/", good())
    assert sent.status_code == 302 and sent["Location"].startswith("/channels/form/embed/sent/")
    assert Contact.objects.count() == 1
    assert client.post("/channels/form/", good()).status_code == 403  # the portal's own form keeps CSRF


def test_a_forged_confirmation_shows_no_case(client: Client, webform_queue):
    response = client.get("/channels/form/sent/?ref=WzEsInhAeC5ubCJd:forged")
    assert response.status_code == 200
    assert response.context["token"] == ""


def test_without_a_webform_queue_the_message_lands_in_the_fallback_queue_flagged(client: Client):
    response = client.post("/channels/form/", good(subject="Mijn vraag"))

    assert response.status_code == 302
    contact = Contact.objects.select_related("queue").get()
    assert (contact.queue.is_fallback, contact.queue.channel) == (True, Channel.WEBFORM)
    assert (contact.fallback_reason, contact.asked_queue) == (FallbackReason.NO_QUEUE, "")
    assert Case.objects.get().subject == "Mijn vraag"


def test_a_queue_asked_for_that_does_not_exist_goes_to_the_webform_queue_there_is(client: Client, webform_queue):
    response = client.post("/channels/form/", good(queue="bestaat-niet"))

    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.queue, contact.fallback_reason) == (webform_queue, "")


def test_an_attachment_past_10_mb_is_named_in_dutch_and_the_text_is_kept(client: Client, webform_queue):
    big = SimpleUploadedFile("scan.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    with translation.override("nl"):
        response = client.post(
            "/channels/form/", good(subject="Kapotte kaart", attachment=big), HTTP_ACCEPT_LANGUAGE="nl"
        )
    assert response.status_code == 413
    form = response.context["form"]
    assert list(form.errors) == ["attachment"]
    html = response.content.decode()
    assert "De bijlage is groter dan 10 MB en is niet meegestuurd. Je tekst is bewaard" in html
    assert 'href="#id_attachment"' in html
    # Everything typed stays in the form, and nothing was stored.
    assert "Kapotte kaart" in html and "Die is nog niet bezorgd." in html and "Sanne@Example.nl" in html
    assert not Contact.objects.exists()
    # The same text with a file that fits is taken.
    small = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 klein", content_type="application/pdf")
    assert client.post("/channels/form/", good(attachment=small)).status_code == 302


def test_the_embedded_form_skips_a_too_large_file_the_same_way(webform_queue):
    big = SimpleUploadedFile("foto.jpg", b"0" * (10 * 1024 * 1024 + 1), content_type="image/jpeg")
    response = Client().post("/channels/form/embed/", good(attachment=big))
    assert response.status_code == 413
    assert list(response.context["form"].errors) == ["attachment"]
    assert "Ik heb op 10 februari een kaart besteld." in response.content.decode()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=20_000)
def test_a_body_past_the_limit_is_refused_with_a_fresh_form_not_an_error_page(client: Client, webform_queue):
    response = client.post("/channels/form/", good(message="x" * 30_000), HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 413
    assert "groter dan dit formulier aanneemt (10 MB)" in response.content.decode()
    assert not Contact.objects.exists()


def test_the_portal_form_still_checks_csrf_behind_the_upload_cap(webform_queue):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/channels/form/", good()).status_code == 403
    assert not Contact.objects.exists()
