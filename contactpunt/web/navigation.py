"""The top bar: the pages a person may open, grouped into a few menus so the bar stays on one line at 1280 px.

Every entry of the bar is a `Menu`; a menu that offers one page to this person is drawn as a plain link with the
page's name (an agent's "Kennisbank"), one with more as a drop-down (`<details>`, so it opens by keyboard and
touch without script). Each page says which pages make it the current one (its URL namespace, maybe only some of
its URL names), so the menu holding the page being viewed is marked too. Who sees a page is asked of
`contactpunt.access`, as the pages themselves do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import ResolverMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contactpunt.access import Action, can
from contactpunt.people.models import Role, User


@dataclass(frozen=True)
class Page:
    """A page the bar may offer: shown when `shown(user)`, current on the pages of `app` (only those `names`
    when given, never those in `other_names`)."""

    label: Promise | str
    url_name: str
    shown: Callable[[User], bool]
    app: str = ""
    names: frozenset[str] = frozenset()
    other_names: frozenset[str] = frozenset()

    def is_current(self, match: ResolverMatch | None) -> bool:
        if match is None or match.app_name != self.app:
            return False
        if self.names:
            return match.url_name in self.names
        return match.url_name not in self.other_names


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class Menu:
    label: str
    links: tuple[Link, ...]

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)

    @property
    def single(self) -> Link | None:
        """The one link of a menu that offers a single page (drawn as that link), else None."""
        return self.links[0] if len(self.links) == 1 else None


@dataclass(frozen=True)
class TopBar:
    menus: tuple[Menu, ...]
    account: Menu


def _may(action: Action) -> Callable[[User], bool]:
    return lambda user: can(user, action)


def _agent_only(user: User) -> bool:
    """The pages an agent has of their own where the roles that see dashboards have the whole section."""
    return not can(user, Action.VIEW_DASHBOARDS)


def _everyone(user: User) -> bool:
    return True


def _admin(user: User) -> bool:
    return user.role == Role.ADMIN or user.is_superuser


_STAFF_KNOWLEDGE = frozenset(
    {
        "staff-list",
        "staff-new",
        "staff-article",
        "staff-edit",
        "changes",
        "usage",
        "todo",
        "group-portals",
        "group-portal-change",
    }
)

#: The menus of the bar, in order: a label (none for a page of its own) and the pages it may hold.
MENUS: tuple[tuple[Promise | str, tuple[Page, ...]], ...] = (
    ("", (Page(_("Overview"), "home", _everyone, names=frozenset({"home"})),)),
    ("", (Page(_("Workspace"), "workspace:inbox", _everyone, app="workspace"),)),
    (
        pgettext_lazy("menu", "Figures"),
        (
            Page(_("KPIs"), "kpis:index", _may(Action.VIEW_DASHBOARDS), app="kpis"),
            Page(_("Insights"), "insights:index", _may(Action.VIEW_DASHBOARDS), app="insights"),
            Page(_("Feedback"), "feedback:dashboard", _may(Action.VIEW_FEEDBACK), app="feedback"),
            Page(_("Quality"), "quality:index", _may(Action.VIEW_QUALITY), app="quality"),
        ),
    ),
    (
        pgettext_lazy("menu", "Planning"),
        (
            Page(
                _("Forecast and staffing"),
                "workforce:index",
                _may(Action.VIEW_DASHBOARDS),
                app="workforce",
                other_names=frozenset({"me"}),
            ),
            Page(
                _("Team check-ins"),
                "checkin:team",
                _may(Action.VIEW_TEAM_MOODS),
                app="checkin",
                names=frozenset({"team"}),
            ),
        ),
    ),
    (
        pgettext_lazy("menu", "Customers"),
        (
            Page(_("Loyalty"), "journey:index", _may(Action.VIEW_JOURNEYS), app="journey"),
            Page(_("Customer data"), "privacy:search", _may(Action.MANAGE_CUSTOMER_DATA), app="privacy"),
        ),
    ),
    (
        pgettext_lazy("menu", "Knowledge"),
        (
            Page(_("Knowledge"), "knowledge:staff-list", _everyone, app="knowledge", names=_STAFF_KNOWLEDGE),
            Page(_("Response templates"), "responses:list", _may(Action.VIEW_TEMPLATES), app="responses"),
        ),
    ),
    ("", (Page(_("Configuration"), "admin:index", _admin, app="admin"),)),
)

#: The person's own menu, under their name: their own pages, the API's documentation and logging out (a form).
ACCOUNT: tuple[Page, ...] = (
    Page(_("My schedule"), "workforce:me", _agent_only, app="workforce", names=frozenset({"me"})),
    Page(_("My remarks"), "insights:remarks", _agent_only, app="insights"),
    Page(_("Compliments"), "feedback:compliments", _agent_only, app="feedback"),
    Page(_("My reviews"), "quality:mine", _agent_only, app="quality"),
    Page(_("Check-in"), "checkin:mine", _may(Action.CHECK_IN), app="checkin", names=frozenset({"mine"})),
)


def _links(user: User, pages: tuple[Page, ...], match: ResolverMatch | None) -> tuple[Link, ...]:
    return tuple(
        Link(str(page.label), reverse(page.url_name), page.is_current(match)) for page in pages if page.shown(user)
    )


def top_bar(user: User, match: ResolverMatch | None) -> TopBar:
    """The menus `user` sees, the page `match` resolved to marked current; menus left empty are dropped."""
    menus = tuple(Menu(str(label), links) for label, pages in MENUS if (links := _links(user, pages, match)))
    account = Menu(user.display_name, _links(user, ACCOUNT, match))
    return TopBar(menus, account)
