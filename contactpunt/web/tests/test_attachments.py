"""Attachments: kept under neutral names within size and type limits (the message is never dropped), listed on
the case, and downloadable only by those who may see the case, always as a download that no browser renders."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contactpunt.audit.models import AuditEntry
from contactpunt.channels.email.intake import receive_mail
from contactpunt.conftest import make_user
from contactpunt.contacts.models import Attachment, Case, Channel, Contact, Message, Queue, Withheld
from contactpunt.contacts.tests.workspace_data import mail, skill
from contactpunt.people.models import Role, Team, User
from contactpunt.web.workspace.attachments import safe_filename, served_content_type

pytestmark = pytest.mark.django_db

HTML = b"<html><body><script>document.title='EXECUTED'</script><h1>hallo</h1></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
AT = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_BYTES = 1000
    return tmp_path


def _mail_with(*parts: tuple[str, str, bytes], message_id: str = "<m1@klant.example>") -> bytes:
    message = EmailMessage()
    message["From"] = "Sanne de Vries <sanne@example.nl>"
    message["To"] = "service@winkel.example"
    message["Subject"] = "Bijlagen"
    message["Message-ID"] = message_id
    message["Date"] = "Mon, 02 Mar 2026 10:30:00 +0100"
    message.set_content("Zie de bijlagen.")
    for filename, content_type, content in parts:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def _receive(queue: Queue, *parts: tuple[str, str, bytes]) -> Case:
    result = receive_mail(raw=_mail_with(*parts), queue=queue, source="mailbox-test")
    contact = Contact.objects.get(pk=result.contact_id)
    return contact.case


def test_an_email_keeps_its_allowed_files_under_neutral_names_and_withholds_the_rest(
    email_queue: Queue, media: Path
) -> None:
    case = _receive(
        email_queue,
        ("brief.html", "text/html", HTML),
        ("logo.svg", "image/svg+xml", SVG),
        ("groot.pdf", "application/pdf", b"%PDF-" + b"x" * 2000),
        ("setup.exe", "application/octet-stream", b"MZ\x90\x00"),
        ("../../etc/passwd", "text/plain", b"root"),
    )
    message = Message.objects.get(case=case)
    assert message.text.strip() == "Zie de bijlagen."  # the message is kept whatever its files
    rows = list(Attachment.objects.filter(message=message).order_by("id"))
    assert [(a.filename, a.size, a.withheld) for a in rows] == [
        ("brief.html", len(HTML), ""),
        ("logo.svg", len(SVG), ""),
        ("groot.pdf", 2005, Withheld.TOO_LARGE),
        ("setup.exe", 4, Withheld.TYPE_NOT_ALLOWED),
        ("passwd", 4, ""),
    ]
    stored = sorted(p for p in media.rglob("*") if p.is_file())
    assert len(stored) == 3  # nothing of the withheld files
    for path in stored:
        assert path.suffix == ""  # no .html, no .svg: a neutral random name
        assert len(path.name) == 32 and all(c in "0123456789abcdef" for c in path.name)
    assert {a.file.name for a in rows if a.withheld} == {""}


def test_a_blocked_content_type_is_withheld_whatever_the_name(email_queue: Queue, settings: Any) -> None:
    settings.ATTACHMENT_BLOCKED_TYPES = ["application/x-msdownload"]
    case = _receive(email_queue, ("factuur.pdf", "application/x-msdownload", b"MZ"))
    (row,) = Attachment.objects.filter(message__case=case)
    assert row.withheld == Withheld.TYPE_NOT_ALLOWED and not row.file


@pytest.fixture
def people(team: Team) -> dict[str, User]:
    agent_a = make_user("agent-a", Role.AGENT, team)
    agent_a.skills.add(skill("mail"))
    agent_b = make_user("agent-b", Role.AGENT, team)
    agent_b.skills.add(skill("other"))
    return {"agent_a": agent_a, "agent_b": agent_b, "auditor": make_user("auditor", Role.VIEWER, team)}


@pytest.fixture
def skilled_queue(email_queue: Queue) -> Queue:
    email_queue.skills.add(skill("mail"))
    return email_queue


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_the_case_page_lists_files_and_says_what_was_withheld_and_why(
    skilled_queue: Queue, people: dict[str, User]
) -> None:
    case = _receive(skilled_queue, ("brief.html", "text/html", HTML), ("groot.pdf", "application/pdf", b"x" * 5000))
    shown = Attachment.objects.get(filename="brief.html")
    page = _client(people["agent_a"]).get(reverse("workspace:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="nl")
    text = page.content.decode()
    assert f'href="/workspace/cases/{case.pk}/attachments/{shown.pk}/"' in text
    assert "brief.html" in text and "groot.pdf" in text
    assert "tegengehouden: groter dan toegestaan" in text
    assert "<script>document.title" not in text  # the content is never inlined


@pytest.mark.parametrize(
    "payload",
    [
        ("brief.html", "text/html", HTML),
        ("logo.svg", "image/svg+xml", SVG),
        ("data.xml", "application/xml", b"<?xml version='1.0'?><a/>"),
        ("script.js", "text/plain", b"alert(1)"),  # a passive type with a risky name
        ("foto.png", "text/html", HTML),  # a lying content type
    ],
)
def test_a_download_is_always_an_attachment_with_a_neutral_type_for_what_a_browser_would_run(
    skilled_queue: Queue, people: dict[str, User], settings: Any, payload: tuple[str, str, bytes]
) -> None:
    filename, content_type, content = payload
    settings.ATTACHMENT_BLOCKED_EXTENSIONS = []
    case = _receive(skilled_queue, (filename, content_type, content))
    attachment = Attachment.objects.get(message__case=case)
    response = _client(people["agent_a"]).get(reverse("workspace:attachment", args=[case.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "no-store, private"
    assert _body(response) == content


def test_a_passive_file_keeps_its_type_and_a_hostile_name_is_made_safe(
    skilled_queue: Queue, people: dict[str, User]
) -> None:
    case = _receive(skilled_queue, ("bon.pdf", "application/pdf", b"%PDF-1.4"))
    attachment = Attachment.objects.get(message__case=case)
    Attachment.objects.filter(pk=attachment.pk).update(filename='a"b\r\nSet-Cookie: x=1;.pdf')
    response = _client(people["agent_a"]).get(reverse("workspace:attachment", args=[case.pk, attachment.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="a b Set-Cookie x=1.pdf"'
    assert "Set-Cookie" not in response.headers


def test_only_those_who_see_the_case_download_and_each_download_is_audited(
    skilled_queue: Queue, people: dict[str, User]
) -> None:
    case = _receive(skilled_queue, ("bon.txt", "text/plain", b"kassabon"))
    other = mail(skilled_queue, timezone.now(), "ander", sender="ander@example.nl")
    attachment = Attachment.objects.get(message__case=case)
    url = reverse("workspace:attachment", args=[case.pk, attachment.pk])
    assert _client(people["agent_b"]).get(url).status_code == 404  # another queue: no existence leak
    assert Client().get(url).status_code == 302  # to the login
    wrong_case = reverse("workspace:attachment", args=[other.pk, attachment.pk])
    assert _client(people["agent_a"]).get(wrong_case).status_code == 404
    for bad in ("x", "0", "-1", str(2**70), str(attachment.pk + 999)):
        assert _client(people["agent_a"]).get(f"/workspace/cases/{case.pk}/attachments/{bad}/").status_code == 404
    assert AuditEntry.objects.count() == 0
    for persona in ("agent_a", "auditor"):  # the read-only viewer may read the case, so its files
        response = _client(people[persona]).get(url)
        assert response.status_code == 200 and _body(response) == b"kassabon"
    entries = list(AuditEntry.objects.order_by("id").values_list("actor__username", "action", "object_id", "changes"))
    assert entries == [
        ("agent-a", "attachment.downloaded", str(attachment.pk), {"case": case.pk}),
        ("auditor", "attachment.downloaded", str(attachment.pk), {"case": case.pk}),
    ]


def test_a_withheld_attachment_cannot_be_downloaded(skilled_queue: Queue, people: dict[str, User]) -> None:
    case = _receive(skilled_queue, ("setup.exe", "application/octet-stream", b"MZ"))
    attachment = Attachment.objects.get(message__case=case)
    response = _client(people["agent_a"]).get(reverse("workspace:attachment", args=[case.pk, attachment.pk]))
    assert response.status_code == 404


def test_media_is_not_served_at_a_public_path(skilled_queue: Queue, people: dict[str, User]) -> None:
    case = _receive(skilled_queue, ("bon.txt", "text/plain", b"kassabon"))
    attachment = Attachment.objects.get(message__case=case)
    assert _client(people["agent_a"]).get(f"/media/{attachment.file.name}").status_code == 404


def test_safe_filename_and_served_type() -> None:
    assert safe_filename("C:\\Users\\x\\rapport.docx") == "rapport.docx"
    assert safe_filename("\x00\u202e.. ") == "attachment"
    assert safe_filename("a" * 300 + ".pdf") == "a" * 116 + ".pdf"
    row = Attachment(filename="x.svg", content_type="image/png")
    assert served_content_type(row) == "application/octet-stream"
    assert served_content_type(Attachment(filename="x.png", content_type="image/png; name=x")) == "image/png"


def test_the_inbound_service_withholds_for_every_channel(skilled_queue: Queue) -> None:
    from contactpunt.contacts.services.inbound import receive_contact
    from contactpunt.contacts.services.types import AttachmentInput, IdentityInput, InboundContact

    received = receive_contact(
        InboundContact(
            source="api-test",
            queue=skilled_queue.code,
            occurred_at=AT,
            external_id="api-1",
            channel=Channel.EMAIL,
            identities=(IdentityInput("email", "klant@example.nl"),),
            text="Foto erbij",
            attachments=(AttachmentInput("video.mp4", "video/mp4", b"v" * 1001),),
        )
    )
    assert received.case_id is not None
    (row,) = Attachment.objects.filter(message__case_id=received.case_id)
    assert (row.withheld, row.size, row.file.name) == (Withheld.TOO_LARGE, 1001, "")
