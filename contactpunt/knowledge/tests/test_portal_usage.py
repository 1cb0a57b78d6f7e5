"""The self-service figures per portal: what visitors read, voted, searched and were suggested in an account group's
portal view is counted for that view, apart from the public portal; a contact from the same visitor is a follow-up
wherever it was sent. The usage page shows a row per portal and narrows to one with ?portal=."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from contactpunt.channels.webform.forms import new_key
from contactpunt.conftest import make_user
from contactpunt.knowledge import group_portals, services, stats
from contactpunt.knowledge.models import ArticleStatus, Audience, UsageEvent
from contactpunt.knowledge.services import ArticleFields
from contactpunt.people.models import Role

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(team, settings):
    settings.KNOWLEDGE_HOLDOUT_PERCENT = 0
    lead = make_user("lead", Role.TEAM_LEAD, team)

    def publish(title: str, body: str, audience: str = Audience.PUBLIC, group: str = ""):
        values = ArticleFields(title=title, body=body, audience=audience, account_group=group)
        return services.create_article(by=lead, values=values, status=ArticleStatus.PUBLISHED)

    public = publish("Levertijd van kaarten", "Wij leveren kaarten binnen twee werkdagen.")
    dealers_own = publish(
        "Levertijd voor dealers", "Dealers krijgen kaarten per pallet.", Audience.ACCOUNT_GROUP, "dealers"
    )
    dealers = group_portals.open_group_portal(by=lead, account_group="dealers", name="Dealernet Noord")
    kiosks = group_portals.open_group_portal(by=lead, account_group="kiosken", name="Kiosken Zuid")
    return lead, public, dealers_own, dealers, kiosks


def test_each_portal_counts_its_own_reads_votes_searches_and_deflection(world, django_capture_on_commit_callbacks):
    _lead, public, dealers_own, dealers, _kiosks = world
    base = f"/help/p/{dealers.key}"
    # A dealer reads two articles, finds nothing for one search, votes and then writes: not deflected.
    dealer = Client()
    dealer.get(f"{base}/", {"q": "pallet"})
    dealer.get(f"{base}/a/{dealers_own.pk}/")
    dealer.get(f"{base}/a/{public.pk}/")
    dealer.get(f"{base}/", {"q": "zwxq"})
    dealer.post(f"{base}/a/{dealers_own.pk}/vote/", {"helpful": "no", "missing": "Wat als de pallet beschadigd is?"})
    form = {"name": "Piet", "email": "piet@dealer.nl", "subject": "Pallet", "message": "Beschadigd", "key": new_key()}
    with django_capture_on_commit_callbacks(execute=True):
        assert dealer.post(f"{base}/contact/", form).status_code == 303
    # Two public visitors read and vote yes; neither writes: both deflected.
    for _ in range(2):
        visitor = Client()
        visitor.get(f"/help/a/{public.pk}/")
        visitor.post(f"/help/a/{public.pk}/vote/", {"helpful": "yes"})

    start, end = NOW - dt.timedelta(days=1), NOW + dt.timedelta(minutes=1)
    dealers_figures = stats.usage(start=start, end=end, account_group="dealers")
    assert (dealers_figures.views, dealers_figures.votes, dealers_figures.helpful) == (2, 1, 0)
    assert (dealers_figures.searches, dealers_figures.searches_without_result) == (2, 1)
    assert dealers_figures.without_result == [("zwxq", 1)]
    assert (dealers_figures.portal.deflected, dealers_figures.portal.total) == (0, 1)
    assert [(a.title, text) for a, text in dealers_figures.missing] == [
        ("Levertijd voor dealers", "Wat als de pallet beschadigd is?")
    ]
    public_figures = stats.usage(start=start, end=end, account_group="")
    assert (public_figures.views, public_figures.votes, public_figures.helpful, public_figures.searches) == (2, 2, 2, 0)
    assert (public_figures.portal.deflected, public_figures.portal.total) == (2, 2)
    assert public_figures.helpful_rate == 1.0
    together = stats.usage(start=start, end=end)
    assert (together.views, together.votes, together.portal.deflected, together.portal.total) == (4, 3, 2, 3)
    rows = stats.per_portal(start=start, end=end)
    assert [(row.account_group, row.usage.views, row.usage.portal.total) for row in rows] == [
        ("", 2, 2),
        ("dealers", 2, 1),
        ("kiosken", 0, 0),
    ]
    assert UsageEvent.objects.filter(account_group="dealers").count() == 6  # 2 searches, 2 reads, a vote, a contact


def test_suggestions_in_a_portal_view_are_counted_there_with_the_articles_shown(world):
    _lead, public, dealers_own, dealers, _kiosks = world
    Client().get(f"/help/p/{dealers.key}/suggest/", {"subject": "levertijd pallet"})
    event = UsageEvent.objects.get()
    assert (event.account_group, event.results) == ("dealers", 2)
    assert event.shown == [dealers_own.pk, public.pk]
    figures = stats.usage(start=NOW - dt.timedelta(hours=1), end=NOW + dt.timedelta(minutes=1), account_group="dealers")
    assert (figures.suggestions.deflected, figures.suggestions.total) == (1, 1)
    assert stats.usage(start=NOW - dt.timedelta(hours=1), end=NOW, account_group="").suggestions.total == 0


def test_the_usage_page_shows_a_row_per_portal_and_narrows_to_one(world, team):
    _lead, public, dealers_own, dealers, _kiosks = world
    Client().get(f"/help/p/{dealers.key}/a/{dealers_own.pk}/")
    Client().get(f"/help/a/{public.pk}/")
    Client().get(f"/help/a/{public.pk}/")
    manager = Client()
    manager.force_login(make_user("mira", Role.MANAGER, team))
    later = time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False)
    later.start()
    page = manager.get("/knowledge/usage/")
    assert page.status_code == 200
    assert [(row.account_group, row.usage.views) for row in page.context["portals"]] == [
        ("", 2),
        ("dealers", 1),
        ("kiosken", 0),
    ]
    assert page.context["usage"].views == 3
    html = page.content.decode()
    assert "Dealernet Noord" in html and "?portal=dealers" in html
    narrowed = manager.get("/knowledge/usage/", {"portal": "dealers"})
    assert narrowed.context["usage"].views == 1 and narrowed.context["portals"] == []
    assert [row.article.title for row in narrowed.context["usage"].articles] == ["Levertijd voor dealers"]
    assert "Dealernet Noord" in narrowed.content.decode()
    assert manager.get("/knowledge/usage/", {"portal": "*public"}).context["usage"].views == 2
    unknown = manager.get("/knowledge/usage/", {"portal": "bestaat-niet"})
    assert unknown.context["usage"].views == 3 and unknown.context["chosen"] == ""
    agent = Client()
    agent.force_login(make_user("anna", Role.AGENT, team))
    assert agent.get("/knowledge/usage/", {"portal": "dealers"}).status_code == 403
    later.stop()


def test_the_portals_page_links_each_view_to_its_figures(world):
    lead, *_rest = world
    staff = Client()
    staff.force_login(lead)
    html = staff.get("/knowledge/portals/").content.decode()
    assert "/knowledge/usage/?portal=dealers" in html and "/knowledge/usage/?portal=kiosken" in html
    assert timezone.now() == NOW
