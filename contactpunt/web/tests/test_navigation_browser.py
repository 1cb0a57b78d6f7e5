"""The top bar in headless Chromium: one line at 1280 px for every role, menus that open and are followed by
keyboard alone (Enter, Tab, Escape), one open at a time, and on a phone (390 px) an open menu that stays on the
screen. The bar of each role is photographed at both widths (into $CONTACTPUNT_SCREENSHOTS, else a temporary
folder; the path is printed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from contactpunt.conftest import make_user
from contactpunt.people.models import Role
from contactpunt.web.tests.browser import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

#: The rows the top bar's items take (items whose boxes overlap vertically share a row).
ROWS_JS = """() => {
  const rows = [];
  for (const item of document.querySelectorAll("header.topbar nav > ul > li")) {
    const box = item.getBoundingClientRect();
    const row = rows.find((r) => Math.min(r.bottom, box.bottom) - Math.max(r.top, box.top) > box.height / 2);
    if (row) row.n += 1; else rows.push({ top: box.top, bottom: box.bottom, n: 1 });
  }
  return rows.length;
}"""


def _folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CONTACTPUNT_SCREENSHOTS") or tmp_path / "top-bar")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"top bar screenshots in {folder}")
    return folder


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.MANAGER, Role.ADMIN, Role.VIEWER])
def test_the_top_bar_is_one_line_at_1280_px_for_every_role(server_url, browser, team, tmp_path, role):
    make_user("someone", role, team).__class__.objects.filter(username="someone").update(
        first_name="Marieke",
        last_name="van den Heuvel-Bakker",  # a long name, as real teams have
    )
    page = login(browser, server_url, "someone", next_url="/")
    folder = _folder(tmp_path)
    page.locator("header.topbar").screenshot(path=str(folder / f"top-bar-{role}-1280.png"))
    assert page.evaluate(ROWS_JS) == 1
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("header.topbar").screenshot(path=str(folder / f"top-bar-{role}-390.png"))
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    for index, menu in enumerate(page.locator("header.topbar details.menu").all()):
        menu.locator("summary").click()
        box = menu.locator("ul").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (role, box)
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        clip = {"x": 0, "y": 0, "width": 390, "height": box["y"] + box["height"] + 10}
        page.screenshot(path=str(folder / f"top-bar-{role}-390-menu-{index}.png"), clip=clip)
        page.keyboard.press("Escape")
    page.context.close()


def test_a_menu_opens_and_is_followed_by_keyboard_and_one_is_open_at_a_time(server_url, browser, team):
    from playwright.sync_api import expect

    make_user("lotte", Role.TEAM_LEAD, team)
    page = login(browser, server_url, "lotte", next_url="/")
    figures = page.locator("header.topbar details.menu", has=page.locator("summary", has_text="Cijfers"))
    planning = page.locator("header.topbar details.menu", has=page.locator("summary", has_text="Planning"))
    expect(figures.locator("a", has_text="KPI's")).to_be_hidden()

    figures.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(figures).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(figures.locator("a", has_text="KPI's")).to_be_focused()
    page.keyboard.press("Escape")  # closes, and the focus goes back to the menu's name
    expect(figures).not_to_have_attribute("open", "")
    expect(figures.locator("summary")).to_be_focused()

    page.keyboard.press("Enter")
    planning.locator("summary").focus()
    page.keyboard.press("Space")
    expect(planning).to_have_attribute("open", "")
    expect(figures).not_to_have_attribute("open", "")  # one menu at a time
    page.mouse.click(1200, 850)  # a click elsewhere closes it
    expect(planning).not_to_have_attribute("open", "")

    figures.locator("summary").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # follows "KPI's"
    page.wait_for_url(f"{server_url}/kpis/**")
    expect(figures.locator("summary")).to_have_class("is-current")
    expect(figures.locator("a[aria-current=page]")).to_have_text("KPI's")
    page.context.close()
