"""Hostile input probe: every string of the Big List of Naughty Strings (../shared/data/blns) through the API's text,
name, identity and id fields, one call each and all at once in bulk; then the agent's inbox and every stored case
page rendered and opened in headless Chromium with every dialog counted.

    .venv/bin/python bench/naughty.py [--blns ../shared/data/blns/blns.json] [--pages 200] [--no-browser]

A fresh SQLite database in a temporary folder, requests through Django's test client. It prints the calls made by
status, the 5xx answers (must be 0), the contacts stored, the bulk call's per-item results, the pages rendered, the
payloads found unescaped in a page (must be 0) and the dialogs that opened in Chromium (alert, confirm, prompt: must
be 0; the pages are loaded without the server's Content-Security-Policy, so a payload that were written into a page
raw would run).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: The fields each string is put in, one call per field.
FIELDS = ("subject", "text", "customer_name", "external_id", "conversation_id", "account_ref", "identity")


def _setup(folder: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["CONTACTPUNT_DATA_DIR"] = folder
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("SECRET_KEY", "bench-naughty-secret-key-that-is-long-enough-for-django")
    os.environ["DJANGO_SETTINGS_MODULE"] = "contactpunt.config.settings_test"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)


def _contact(n: int, field: str, value: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "external_id": f"naughty-{n}-{field}",
        "queue": "email-general",
        "occurred_at": "2026-03-02T10:00:00+01:00",
        "identities": [{"kind": "email", "value": f"klant{n}@example.nl"}],
        "customer_name": "Klant",
        "subject": "Vraag",
        "text": "Tekst",
    }
    if field == "identity":
        body["identities"] = [{"kind": "email", "value": value}]
    elif field == "conversation_id":
        body["thread"] = {"conversation_id": value}
    else:
        body[field] = value
    return body


def probe(strings: list[str], *, pages: int, browser: bool) -> dict[str, Any]:
    from django.test import Client

    from contactpunt.api.models import Integration
    from contactpunt.contacts.models import Case, Channel, Contact, Queue
    from contactpunt.people.models import Department, Role, User

    department = Department.objects.create(name="Klantenservice", cost_per_hour=35)
    Queue.objects.create(code="email-general", name="E-mail", channel=Channel.EMAIL, department=department)
    agent = User.objects.create_user(username="anna", role=Role.AGENT)  # signed in by force_login
    integration = Integration(name="Probe", source="probe")
    token = integration.set_new_token()
    integration.save()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    statuses: Counter[int] = Counter()
    first_5xx = ""
    for n, value in enumerate(strings):
        for field in FIELDS:
            response = api.post(
                "/api/v1/contacts", json.dumps(_contact(n, field, value)), content_type="application/json"
            )
            statuses[response.status_code] += 1
            if response.status_code >= 500 and not first_5xx:
                first_5xx = f"{field}={value!r}: {response.content[:200]!r}"
    items = [_contact(n, "text", value) | {"external_id": f"bulk-{n}"} for n, value in enumerate(strings[:1000])]
    bulk = api.post("/api/v1/contacts/bulk", json.dumps({"items": items}), content_type="application/json")
    bulk_results = Counter(r["status"] for r in bulk.json().get("results", [])) if bulk.status_code == 200 else {}
    statuses[bulk.status_code] += 1
    if not Contact.objects.exists():
        raise RuntimeError(f"the probe stored nothing: is the setup wrong? statuses {dict(statuses)}")

    viewer = Client()
    viewer.force_login(agent)
    payloads = [s for s in strings if "<" in s and ">" in s]
    htmls = [viewer.get("/workspace/").content.decode()]
    for case_id in Case.objects.order_by("pk").values_list("pk", flat=True)[:pages]:
        htmls.append(viewer.get(f"/workspace/cases/{case_id}/").content.decode())
    raw = sum(1 for html in htmls for payload in payloads if payload in html)
    dialogs = _dialogs(htmls) if browser else None
    return {
        "strings": len(strings),
        "calls": sum(statuses.values()),
        "by_status": dict(sorted(statuses.items())),
        "server_errors": sum(n for status, n in statuses.items() if status >= 500),
        "first_server_error": first_5xx,
        "contacts_stored": Contact.objects.count(),
        "bulk_items": len(items),
        "bulk_results": dict(bulk_results),
        "pages_rendered": len(htmls),
        "payloads_unescaped": raw,
        "dialogs_opened": dialogs,
    }


def _dialogs(htmls: list[str]) -> int:
    """Open each page's HTML in headless Chromium (no network, no CSP) and count the dialogs that open."""
    from playwright.sync_api import sync_playwright

    opened = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
        page = browser.new_page()

        def dialog(d: Any) -> None:
            nonlocal opened
            opened += 1
            d.dismiss()

        page.on("dialog", dialog)
        page.route("**/*", lambda route: route.abort())  # nothing leaves the page: its own HTML only
        for html in htmls:
            page.set_content(html, wait_until="domcontentloaded")
        browser.close()
    return opened


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--blns", default=str(ROOT.parent / "shared" / "data" / "blns" / "blns.json"))
    parser.add_argument("--pages", type=int, default=200, help="case pages to render and open")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    strings = [s for s in json.loads(Path(args.blns).read_text()) if isinstance(s, str)]
    with tempfile.TemporaryDirectory(prefix="cp-naughty-") as folder:
        _setup(folder)
        result = probe(strings, pages=args.pages, browser=not args.no_browser)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['strings']} naughty strings x {len(FIELDS)} fields + one bulk call: {result['calls']} calls")
    print(f"  by status: {result['by_status']}")
    print(f"  5xx: {result['server_errors']} (must be 0) {result['first_server_error']}")
    print(
        f"  contacts stored: {result['contacts_stored']}; bulk: {result['bulk_items']} items, {result['bulk_results']}"
    )
    print(
        f"  pages rendered: {result['pages_rendered']}; payloads found unescaped: {result['payloads_unescaped']} "
        f"(must be 0); dialogs opened in Chromium: {result['dialogs_opened']} (must be 0)"
    )


if __name__ == "__main__":
    main()
