"""Hostile attachments in headless Chromium: an HTML page and an SVG with script, sent by a customer, are listed on
the case and only ever downloaded, never rendered (no script runs, no dialog opens, the page stays the case).
Skips (saying why) when Chromium is missing, and fails instead on CI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contactpunt.channels.email.intake import receive_mail
from contactpunt.conftest import make_user
from contactpunt.contacts.models import Attachment, Contact, Queue
from contactpunt.contacts.tests.workspace_data import skill
from contactpunt.people.models import Role, Team
from contactpunt.web.tests.browser import login
from contactpunt.web.tests.test_attachments import HTML, SVG, _mail_with

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

PAYLOADS = {
    "brief.html": HTML,
    "logo.svg": SVG,
    "plaatje.png": b"<html><script>alert('png')</script></html>",  # HTML under an image name
}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_hostile_attachments_are_downloaded_never_rendered(
    server_url: str, browser: Any, team: Team, email_queue: Queue
) -> None:
    email_queue.skills.add(skill("mail"))
    make_user("anna", Role.AGENT, team).skills.add(skill("mail"))
    parts = [
        ("brief.html", "text/html", HTML),
        ("logo.svg", "image/svg+xml", SVG),
        ("plaatje.png", "text/html", PAYLOADS["plaatje.png"]),
    ]
    result = receive_mail(raw=_mail_with(*parts), queue=email_queue, source="mailbox-test")
    case = Contact.objects.get(pk=result.contact_id).case

    page = login(browser, server_url, "anna")
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    case_url = f"{server_url}/workspace/cases/{case.pk}/"
    page.goto(case_url)
    title = page.title()
    executed = 0
    for attachment in Attachment.objects.filter(message__case=case).order_by("id"):
        link = page.locator(f'a[href="/workspace/cases/{case.pk}/attachments/{attachment.pk}/"]')
        assert link.inner_text() == attachment.filename
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename == attachment.filename
        assert Path(download.path()).read_bytes() == PAYLOADS[attachment.filename]
        # Opened directly (a pasted link), the browser still downloads rather than renders.
        with page.expect_download():
            try:
                page.goto(f"{server_url}/workspace/cases/{case.pk}/attachments/{attachment.pk}/")
            except Exception as error:  # Chromium reports a navigation that became a download as an error
                assert "Download is starting" in str(error)
        executed += page.title() == "EXECUTED"
        assert page.url == case_url and page.title() == title
    assert executed == 0
    assert dialogs == []
