"""Every page at 1280 px and on a phone (390 px), for every role, in headless Chromium: nothing spills.

On a small demo organisation (the demo's own loader, one week), each role logs in and visits every page its
navigation offers (the top bar and each section's own navigation), a case page, the error pages (403 for
the agent, 404, and the static 500 page) and, for the admin, Django's admin index. Each page is photographed at
both widths (into $CONTACTPUNT_SCREENSHOTS, else a temporary folder; the path is printed) and the test fails,
listing every problem, when the page scrolls sideways, the top bar wraps at 1280 px, an element's content spills
out of its box outside a scroll container, a table is cut off without a sign that more columns are out of view
(or at all on a phone, where rows stack), or a short word breaks over two lines (see layout.py). Skips (saying
why) when Chromium is missing, and fails instead on CI.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.template import loader
from django.utils import timezone, translation

from contactpunt.ops import demo
from contactpunt.web.tests.browser import TIMEOUT_MS
from contactpunt.web.tests.layout import MAX_WORD, PROBLEMS_JS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ROLES = ["agent1", "teamlead", "manager", "auditor", "admin"]
#: Links that are not pages of the product's own layout: logging out, downloads, the API's own docs and
#: Django's admin (styled by Django, its index checked on its own), which the admin's navigation offers.
SKIPPED = ("/logout/", "/api/", "/admin/")
SKIPPED_SUFFIXES = (".csv", ".xlsx", ".json")


def _folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CONTACTPUNT_SCREENSHOTS") or tmp_path / "layout")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"layout screenshots in {folder}")
    return folder


def _login(browser: Any, url: str, username: str) -> Any:
    page = browser.new_context(viewport=WIDE, locale="nl-NL").new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda address: "/login/" not in address)
    return page


def _nav_links(page: Any) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all("header nav a[href], main nav a[href]", "els => els.map(a => a.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc != urlsplit(page.url).netloc or parts.path.startswith(SKIPPED):
            continue
        if parts.path.endswith(SKIPPED_SUFFIXES):
            continue
        paths.append(parts.path)
    return paths


def _settle(page: Any) -> None:
    """Wait until the partials htmx loads after the page (the orders on a case page) have come in: nothing is
    busy any more (a spinner that never ends fails here). Polling pages never go idle, so no networkidle."""
    page.wait_for_function("() => !document.querySelector('[aria-busy=true]')", timeout=TIMEOUT_MS)
    page.wait_for_timeout(100)


def _listen_for_errors(page: Any, problems: list[str], username: str) -> None:
    """A script error or a refusal by the Content-Security-Policy (an inline script or style that slipped
    in) on any page is a problem too: the page looks fine and a button silently does nothing."""

    def console(message: Any) -> None:
        document = message.location.get("url", "") == page.url  # the 403, 404 and 500 pages are asked for
        if message.type == "error" and not (document and message.text.startswith("Failed to load resource")):
            problems.append(f"{username} on {page.url}: console error: {message.text[:300]}")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"{username} on {page.url}: script error: {error}"))


def _check(page: Any, folder: Path, name: str) -> list[str]:
    problems = []
    language = page.evaluate("document.documentElement.lang")
    if language != "nl":  # the demo's people read Dutch: the page says so, for dates, hyphenation, screen readers
        problems.append(f'{name}: the page says it is in "{language}", not "nl"')
    for label, size in (("1280", WIDE), ("390", PHONE)):
        page.set_viewport_size(size)
        page.wait_for_timeout(50)
        page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
        problems += [f"{name} at {label} px: {problem}" for problem in page.evaluate(PROBLEMS_JS, MAX_WORD)]
    page.set_viewport_size(WIDE)
    return problems


def _visit(page: Any, url: str, path: str, folder: Path, name: str, *, status: int = 200) -> list[str]:
    response = page.goto(url + path)
    assert response is not None and response.status == status, f"{name}: {path} answered {response and response.status}"
    _settle(page)
    return _check(page, folder, name)


def _server_error(page: Any, url: str, folder: Path) -> list[str]:
    """The 500 page as Django's handler renders it (no request, no database), served at a made-up address."""
    with translation.override("nl"):
        html = loader.render_to_string("500.html")
    page.route(f"{url}/boom/", lambda route: route.fulfill(status=500, body=html, content_type="text/html"))
    return _visit(page, url, "/boom/", folder, "error-500", status=500)


@pytest.fixture
def demo_organisation(transactional_db: None) -> None:
    """The demo's own loader, for three days (before the browser starts: its event loop would be in this thread)."""
    logins = demo.create_demo_organisation(contacts=60, days=3)
    assert logins.simulation is not None
    logins.simulation.close()  # the live mode is not started here


def test_no_page_spills_for_any_role_at_either_width(demo_organisation, server_url, browser, tmp_path):
    folder = _folder(tmp_path)
    problems: list[str] = []
    visited_by_role: dict[str, list[str]] = {}

    for username in ROLES:
        page = _login(browser, server_url, username)
        _listen_for_errors(page, problems, username)
        todo, seen = ["/", "/workspace/mentions/"], set()
        while todo:
            path = todo.pop(0)
            if path in seen:
                continue
            seen.add(path)
            name = f"{username}{urlsplit(path).path.replace('/', '-').rstrip('-') or '-home'}"
            problems += _visit(page, server_url, path, folder, name)
            todo += [link for link in _nav_links(page) if link not in seen]
            if path == "/":  # a case page: the overview lists the newest cases, open or not (the inbox may be
                # empty, depending on the hour the demo was made at)
                todo.append(urlsplit(page.locator("a[href^='/workspace/cases/']").first.get_attribute("href")).path)
            if path == "/kpis/manager/":  # a drill-down behind a figure (of last week when this week has none yet:
                # on a Monday just after midnight it is empty)
                if not page.locator("a[href^='/kpis/drill/']").count():
                    last_week = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
                    page.goto(f"{server_url}/kpis/manager/?period=week&date={last_week}")
                drill = urlsplit(page.locator("a[href^='/kpis/drill/']").first.get_attribute("href"))
                todo.append(f"{drill.path}?{drill.query}")
        visited_by_role[username] = sorted(seen)
        problems += _visit(page, server_url, "/bestaat-niet/", folder, f"{username}-error-404", status=404)
        if username == "admin":  # Django's admin index, with our admin style sheet (web/admin.css)
            problems += _visit(page, server_url, "/admin/", folder, f"{username}-admin-index")
        if username == "agent1":
            problems += _visit(page, server_url, "/kpis/", folder, f"{username}-error-403", status=403)
            problems += _server_error(page, server_url, folder)
        page.context.close()

    # every role saw its navigation, a case included
    assert all(any(p.startswith("/workspace/cases/") for p in seen) for seen in visited_by_role.values())
    manager_saw = {urlsplit(path).path for path in visited_by_role["manager"]}
    assert {
        "/kpis/spoc/",
        "/kpis/wallboard/",
        "/kpis/drill/",
        "/insights/remarks/",
        "/workforce/adherence/",
        "/journey/",
    } <= (manager_saw)
    assert not problems, "\n".join(problems)
