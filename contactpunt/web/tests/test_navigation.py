"""The top bar's menus: each role sees the pages it may open, grouped; the page being viewed is marked, and so is
the menu that holds it; a menu with one page for this person is a plain link."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from contactpunt.conftest import make_user
from contactpunt.people.models import Role


class _TopBar(HTMLParser):
    """Reads the top bar: each drop-down's name with its links' names, "" for the plain links; the current ones."""

    def __init__(self) -> None:
        super().__init__()
        self.menus: dict[str, list[str]] = {"": []}
        self.current: list[str] = []
        self.marked: list[str] = []
        self._menu: str | None = None
        self._summary: str | None = None
        self._in_link = False
        self._link_current = False
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "summary":
            self._summary = ""
            if found.get("class") == "is-current":
                self.marked.append("")
        elif tag == "a" and found.get("class") != "brand":
            self._in_link, self._link_current, self._text = True, found.get("aria-current") == "page", ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "summary" and self._summary is not None:
            self._menu = self._summary.strip()
            self.menus[self._menu] = []
            if self.marked and self.marked[-1] == "":
                self.marked[-1] = self._menu
            self._summary = None
        elif tag == "details":
            self._menu = None
        elif tag == "a" and self._in_link:
            self.menus[self._menu or ""].append(self._text.strip())
            if self._link_current:
                self.current.append(self._text.strip())
            self._in_link = False

    def handle_data(self, data: str) -> None:
        if self._summary is not None:
            self._summary += data
        elif self._in_link:
            self._text += data


def _bar(client: Client, path: str) -> _TopBar:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200, path
    html = response.content.decode()
    parser = _TopBar()
    parser.feed(html[html.index('<header class="container-fluid topbar">') : html.index("</header>")])
    return parser


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            Role.AGENT,
            {
                "": ["Overzicht", "Werkplek", "Kennisbank"],
                "Mijn rooster": None,  # not a menu: the agent's own pages are under their name
            },
        ),
        (
            Role.TEAM_LEAD,
            {
                "": ["Overzicht", "Werkplek", "Loyaliteit"],
                "Cijfers": ["KPI's", "Inzichten", "Feedback", "Kwaliteit"],
                "Planning": ["Prognose en bezetting", "Check-ins van teams"],
                "Kennis": ["Kennisbank", "Antwoordsjablonen"],
            },
        ),
        (
            Role.MANAGER,
            {
                "": ["Overzicht", "Werkplek"],
                "Cijfers": ["KPI's", "Inzichten", "Feedback", "Kwaliteit"],
                "Planning": ["Prognose en bezetting", "Check-ins van teams"],
                "Klanten": ["Loyaliteit", "Klantgegevens"],
                "Kennis": ["Kennisbank", "Antwoordsjablonen"],
            },
        ),
        (
            Role.ADMIN,
            {
                "": ["Overzicht", "Werkplek", "Beheer"],
                "Klanten": ["Loyaliteit", "Klantgegevens"],
            },
        ),
        (
            Role.VIEWER,
            {
                "": ["Overzicht", "Werkplek", "Loyaliteit"],
                "Cijfers": ["KPI's", "Inzichten", "Feedback", "Kwaliteit"],
                "Planning": ["Prognose en bezetting", "Check-ins van teams"],
            },
        ),
    ],
)
def test_each_role_sees_its_pages_grouped_into_menus(
    client: Client, role: str, expected: dict[str, list[str] | None]
) -> None:
    make_user("someone", role)
    client.login(username="someone", password="pw-someone")
    menus = _bar(client, "/").menus
    for label, links in expected.items():
        if links is None:
            assert label not in menus
        else:
            assert menus[label] == links, (label, menus)
    account = next(label for label in menus if " · " in label)
    mine = ["Mijn rooster", "Mijn opmerkingen", "Complimenten", "Mijn beoordelingen"]
    assert (menus[account][:4] == mine) == (role == Role.AGENT)
    assert ("Check-in" in menus[account]) == (role != Role.VIEWER)
    assert menus[account][-1] == "API-documentatie"
    everything = [link for links in menus.values() for link in links]
    assert ("Beheer" in everything) == (role == Role.ADMIN)
    assert ("Klantgegevens" in everything) == (role in (Role.MANAGER, Role.ADMIN))
    assert ("Antwoordsjablonen" in everything) == (role != Role.AGENT)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "path", "menu", "link"),
    [
        (Role.TEAM_LEAD, "/workforce/shifts/", "Planning", "Prognose en bezetting"),
        (Role.TEAM_LEAD, "/insights/remarks/", "Cijfers", "Inzichten"),
        (Role.TEAM_LEAD, "/templates/", "Kennis", "Antwoordsjablonen"),
        (Role.TEAM_LEAD, "/knowledge/portals/", "Kennis", "Kennisbank"),
        (Role.AGENT, "/workforce/me/", "·", "Mijn rooster"),
        (Role.AGENT, "/knowledge/", "", "Kennisbank"),
        (Role.TEAM_LEAD, "/workspace/", "", "Werkplek"),
    ],
)
def test_the_page_being_viewed_and_its_menu_are_marked(client: Client, role: str, path: str, menu: str, link: str):
    make_user("someone", role)
    client.login(username="someone", password="pw-someone")
    bar = _bar(client, path)
    assert bar.current == [link]
    if menu:
        assert len(bar.marked) == 1 and menu in bar.marked[0], bar.marked
    else:
        assert bar.marked == []


@pytest.mark.django_db
def test_a_visitor_who_is_not_signed_in_sees_no_menus(client: Client) -> None:
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "<details" not in html[: html.index("</header>")]
    assert "Werkplek" not in html


@pytest.mark.django_db
def test_an_english_browser_gets_dutch_pages_that_say_so(client: Client) -> None:
    """The language is the person's (else the organisation's), never the browser's: an English Chromium gets a
    Dutch page marked lang="nl". Its date fields are still drawn by the browser in its own language (12/06/2026):
    no page can change that; every date the page writes itself is Dutch (test_layout_browser checks them)."""
    make_user("someone", Role.TEAM_LEAD)
    client.login(username="someone", password="pw-someone")
    response = client.get("/workforce/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert response.headers["Content-Language"] == "nl"
    assert '<html lang="nl"' in html
    assert 'type="date"' in html and "Prognose en bezetting" in html
