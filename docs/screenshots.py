"""Take the README's screenshots from a running Contactpunt (`./run up`) in headless Chromium.

.venv/bin/python docs/screenshots.py [--url http://127.0.0.1:8000] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from contactpunt.web.chromium import CHROMIUM_ARGS

OUT = Path(__file__).resolve().parent / "screenshots"


def workspace(browser: Browser, url: str) -> None:
    """The agent's inbox and a case, as agent1 sees them."""
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    page.goto(f"{url}/login/?next=/workspace/")
    page.fill("#id_username", "agent1")
    page.fill("#id_password", "demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/workspace/")
    page.select_option("#state-select", "available")
    page.wait_for_selector("#live-status.on")
    page.screenshot(path=OUT / "inbox.png")
    page.goto(f"{url}/workspace/?channel=email")
    page.click("table.inbox tbody tr[data-case] a.case-link")
    page.wait_for_selector("#orders:not([aria-busy]), #customer-title + p.muted", timeout=15000)
    page.screenshot(path=OUT / "case.png")
    page.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(f"{args.url}/login/")
        page.screenshot(path=OUT / "login.png")
        page.fill("#id_username", "teamlead")
        page.fill("#id_password", "demo")
        page.click("button[type=submit]")
        page.wait_for_url(f"{args.url}/")
        page.screenshot(path=OUT / "overview.png", full_page=False)
        workspace(browser, args.url)
        page.goto(f"{args.url}/api/v1/docs")
        page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
        page.screenshot(path=OUT / "api-docs.png")
        browser.close()
    print(f"Screenshots in {OUT}")


if __name__ == "__main__":
    main()
