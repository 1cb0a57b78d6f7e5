"""Take the README's screenshots from a running Contactpunt (`./run up`) in headless Chromium.

.venv/bin/python docs/screenshots.py [--url http://127.0.0.1:8000] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

from contactpunt.web.chromium import CHROMIUM_ARGS

OUT = Path(__file__).resolve().parent / "screenshots"
#: How long a click or a page may take: the demo's first minutes keep a small machine busy.
TIMEOUT_MS = 120_000


def new_page(browser: Browser, **options: Any) -> Page:
    page = browser.new_page(**options)
    page.set_default_timeout(TIMEOUT_MS)
    return page


def workspace(browser: Browser, url: str) -> None:
    """The agent's inbox and a case, as agent1 sees them."""
    page = new_page(browser, viewport={"width": 1280, "height": 860})
    page.goto(f"{url}/login/?next=/workspace/")
    page.fill("#id_username", "agent1")
    page.fill("#id_password", "demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/workspace/")
    page.select_option("#state-select", "available")
    page.wait_for_selector("#live-status.on")
    page.screenshot(path=OUT / "inbox.png")
    page.goto(f"{url}/workspace/?channel=email")
    if page.locator("table.inbox tbody tr[data-case] a.case-link").count():
        page.click("table.inbox tbody tr[data-case] a.case-link")
    else:  # nothing waits at this hour (a quiet evening): the overview lists the newest cases, open or not
        page.goto(f"{url}/")
        page.click("a[href^='/workspace/cases/']")
    page.wait_for_selector("#orders:not([aria-busy]), #customer-title + p.muted", timeout=TIMEOUT_MS)
    page.screenshot(path=OUT / "case.png")
    page.close()


def login(browser: Browser, url: str, username: str, landing: str) -> Page:
    page = new_page(browser, viewport={"width": 1280, "height": 860})
    page.goto(f"{url}/login/?next={landing}")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}{landing}")
    return page


def manager_pages(browser: Browser, url: str) -> None:
    """Today, the wallboard, forecast and staffing, the shift plan, insights and webcare, as the manager sees them."""
    page = login(browser, url, "manager", "/kpis/today/")
    page.screenshot(path=OUT / "kpis-today.png")
    page.goto(f"{url}/kpis/wallboard/")
    page.screenshot(path=OUT / "wallboard.png")
    page.goto(f"{url}/workforce/")
    page.screenshot(path=OUT / "workforce.png")
    page.goto(f"{url}/workforce/shifts/")
    page.screenshot(path=OUT / "shifts.png")
    page.goto(f"{url}/insights/")
    page.screenshot(path=OUT / "insights.png")
    page.goto(f"{url}/kpis/webcare/")
    page.screenshot(path=OUT / "webcare.png")
    page.goto(f"{url}/feedback/")
    page.screenshot(path=OUT / "feedback.png")
    page.goto(f"{url}/journey/")
    page.screenshot(path=OUT / "loyalty.png")
    page.close()


def people_pages(browser: Browser, url: str) -> None:
    """An agent's weekly check-in on a phone, and the self-service portal a customer reads without logging in."""
    page = new_page(browser, viewport={"width": 390, "height": 844}, locale="nl-NL")
    page.goto(f"{url}/login/?next=/checkin/")
    page.fill("#id_username", "agent2")
    page.fill("#id_password", "demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/checkin/")
    page.screenshot(path=OUT / "checkin.png")
    page.close()
    portal = new_page(browser, viewport={"width": 1100, "height": 860}, locale="nl-NL")
    portal.goto(f"{url}/help/?q=wachtwoord+vergeten")
    portal.screenshot(path=OUT / "help-portal.png")
    portal.close()


HOST_PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Kaartenwinkel</title>
<style>body {{ font-family: Georgia, serif; margin: 2rem 3rem; background: #fbf7ef; color: #4a1c1c; }}</style></head>
<body><h1>Kaartenwinkel</h1><p>Wenskaarten voor Valentijnsdag, Moederdag en kerst.</p>
<script src="{url}/channels/chat/widget.js" data-queue="{queue}" async></script></body></html>"""


def chat_widget(browser: Browser, url: str, queue: str) -> None:
    """The chat widget on a shop's page (another origin), after the visitor's first message."""
    body = HOST_PAGE.format(url=url, queue=queue).encode()

    class Shop(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    shop = ThreadingHTTPServer(("localhost", 0), Shop)
    threading.Thread(target=shop.serve_forever, daemon=True).start()
    try:
        page = new_page(browser, viewport={"width": 1100, "height": 760}, locale="nl-NL")
        page.goto(f"http://localhost:{shop.server_address[1]}/")
        page.click("button.launcher")  # Playwright's selectors reach into the widget's shadow DOM
        page.wait_for_timeout(1500)
        if page.locator("#cp-text").is_visible():  # an agent is available: chat; else the written form shows
            page.fill("#cp-text", "Hallo! Mijn kaart voor oma is nog niet bezorgd, ordernummer 48213.")
            page.click("button.send")
            page.wait_for_timeout(1500)
        page.screenshot(path=OUT / "chat-widget.png")
        page.close()
    finally:
        shop.shutdown()


def web_form(browser: Browser, url: str) -> None:
    page = new_page(browser, viewport={"width": 1100, "height": 860}, locale="nl-NL")
    page.goto(f"{url}/channels/form/")
    page.screenshot(path=OUT / "web-form.png", full_page=True)
    page.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chat-queue", default="chat", help="the demo's chat queue code")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        page = new_page(browser, viewport={"width": 1280, "height": 860})
        page.goto(f"{args.url}/login/")
        page.screenshot(path=OUT / "login.png")
        page.fill("#id_username", "teamlead")
        page.fill("#id_password", "demo")
        page.click("button[type=submit]")
        page.wait_for_url(f"{args.url}/")
        page.screenshot(path=OUT / "overview.png", full_page=False)
        workspace(browser, args.url)
        manager_pages(browser, args.url)
        people_pages(browser, args.url)
        chat_widget(browser, args.url, args.chat_queue)
        web_form(browser, args.url)
        page.goto(f"{args.url}/api/v1/docs")
        page.wait_for_selector(".swagger-ui .opblock", timeout=TIMEOUT_MS)
        page.screenshot(path=OUT / "api-docs.png")
        browser.close()
    print(f"Screenshots in {OUT}")


if __name__ == "__main__":
    main()
