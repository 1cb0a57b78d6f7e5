"""The portal view of an account group: reached by its link's key, it shows the public articles and the group's
own and nothing of another group or internal; search, "did this help?" and suggestions work there, and a contact
sent there carries the account group. Team leads open, renew and close the views."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from contactpunt.audit.models import AuditEntry
from contactpunt.channels.webform.forms import new_key
from contactpunt.conftest import make_user
from contactpunt.knowledge import group_portals, services
from contactpunt.knowledge.models import (
    Article,
    ArticleStatus,
    Audience,
    Category,
    GroupPortal,
    PortalContact,
    UsageEvent,
    UsageKind,
)
from contactpunt.knowledge.services import ArticleFields
from contactpunt.people.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(team):
    return make_user("lead", Role.TEAM_LEAD, team)


@pytest.fixture
def articles(lead):
    topic = Category.objects.create(slug="levering", name="Levering")

    def publish(title: str, body: str, audience: str = Audience.PUBLIC, group: str = "") -> Article:
        values = ArticleFields(title=title, body=body, category=topic, audience=audience, account_group=group)
        return services.create_article(by=lead, values=values, status=ArticleStatus.PUBLISHED)

    return {
        "public": publish("Levertijd van kaarten", "Wij leveren kaarten binnen twee werkdagen."),
        "dealers": publish(
            "Levertijd voor dealers", "Dealers krijgen kaarten per pallet binnen vijf werkdagen.",
            Audience.ACCOUNT_GROUP, "dealers",
        ),
        "kiosks": publish(
            "Levertijd voor kiosken", "Kiosken krijgen kaarten per doos binnen drie werkdagen.",
            Audience.ACCOUNT_GROUP, "kiosken",
        ),
        "internal": publish("Levertijd intern protocol", "Bij vertraging bel de vervoerder.", Audience.INTERNAL),
    }  # fmt: skip


@pytest.fixture
def dealers(lead):
    return group_portals.open_group_portal(by=lead, account_group="dealers", name="Dealernet Noord")


def test_the_group_view_shows_public_and_own_articles_and_never_another_groups_or_internal(articles, dealers):
    client = Client()
    base = f"/help/p/{dealers.key}"
    home = client.get(f"{base}/").content.decode()
    assert "Dealernet Noord" in home and "Levering" in home
    topic = client.get(f"{base}/c/levering/").content.decode()
    assert "Levertijd van kaarten" in topic and "Levertijd voor dealers" in topic
    assert "kiosken" not in topic and "intern" not in topic
    found = client.get(f"{base}/", {"q": "levertijd"}).content.decode()
    assert "Levertijd van kaarten" in found and "Levertijd voor dealers" in found
    assert "kiosken" not in found and "intern protocol" not in found
    page = client.get(f"{base}/a/{articles['dealers'].pk}/").content.decode()
    assert "per pallet" in page and f'href="{base}/a/{articles["public"].pk}/"' in page  # related, in the view
    assert "kiosken" not in page and "intern protocol" not in page
    for other in ("kiosks", "internal"):
        assert client.get(f"{base}/a/{articles[other].pk}/").status_code == 404
    suggested = client.get(f"{base}/suggest/", {"subject": "levertijd kaarten"}).content.decode()
    assert "kiosken" not in suggested and "intern protocol" not in suggested


def test_the_public_portal_does_not_show_the_groups_articles(articles, dealers):
    client = Client()
    assert client.get(f"/help/a/{articles['dealers'].pk}/").status_code == 404
    found = client.get("/help/", {"q": "levertijd"}).content.decode()
    assert "Levertijd van kaarten" in found and "dealers" not in found and "kiosken" not in found


def test_a_wrong_renewed_or_closed_key_finds_nothing(articles, dealers, lead):
    client = Client()
    assert client.get("/help/p/geen-geldige-sleutel/").status_code == 404
    old = dealers.key
    group_portals.renew_key(by=lead, portal=dealers)
    assert dealers.key != old
    assert client.get(f"/help/p/{old}/a/{articles['dealers'].pk}/").status_code == 404
    assert client.get(f"/help/p/{dealers.key}/a/{articles['dealers'].pk}/").status_code == 200
    group_portals.set_open(by=lead, portal=dealers, is_open=False)
    assert client.get(f"/help/p/{dealers.key}/").status_code == 404
    assert client.get(f"/help/p/{dealers.key}/a/{articles['public'].pk}/").status_code == 404
    actions = list(
        AuditEntry.objects.filter(object_type="knowledge.groupportal").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["group_portal.opened", "group_portal.key_renewed", "group_portal.closed"]


def test_votes_and_searches_in_the_group_view_are_counted(articles, dealers):
    client = Client()
    base = f"/help/p/{dealers.key}"
    client.get(f"{base}/", {"q": "pallet"})
    response = client.post(f"{base}/a/{articles['dealers'].pk}/vote/", {"helpful": "yes"})
    assert response.status_code == 303 and response["Location"] == f"{base}/a/{articles['dealers'].pk}/#vote"
    assert list(UsageEvent.objects.filter(kind=UsageKind.SEARCH).values_list("query", "results")) == [("pallet", 1)]
    assert list(UsageEvent.objects.filter(kind=UsageKind.VOTE).values_list("article_id", "helpful")) == [
        (articles["dealers"].pk, True)
    ]


def test_a_contact_from_the_group_view_carries_the_account_group(articles, dealers, django_capture_on_commit_callbacks):
    client = Client()
    base = f"/help/p/{dealers.key}"
    client.get(f"{base}/a/{articles['dealers'].pk}/")
    form = {
        "name": "Piet Dealer",
        "email": "piet@dealer.nl",
        "subject": "Pallet te laat",
        "message": "Waar blijft hij?",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{base}/contact/", form | {"key": new_key()})
    assert response.status_code == 303 and response["Location"].startswith(f"{base}/contact/sent/?ref=")
    link = PortalContact.objects.get()
    assert link.account_group == "dealers"
    assert list(link.articles.values_list("pk", flat=True)) == [articles["dealers"].pk]
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/help/contact/", form | {"key": new_key()})
    assert PortalContact.objects.exclude(pk=link.pk).get().account_group == ""


def test_the_agent_sees_which_portal_view_the_contact_came_from(
    articles, dealers, agent, django_capture_on_commit_callbacks
):
    from contactpunt.contacts.models import Contact

    client = Client()
    form = {"name": "Piet Dealer", "email": "piet@dealer.nl", "subject": "Pallet", "message": "Waar blijft hij?"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/help/p/{dealers.key}/contact/", form | {"key": new_key()})
    case_id = Contact.objects.get(pk=PortalContact.objects.get().contact_id).case_id
    lead = make_user("lead2", Role.TEAM_LEAD, agent.team)
    staff = Client()
    staff.force_login(lead)
    panel = staff.get(f"/knowledge/cases/{case_id}/suggestions/").content.decode()
    assert "Dealernet Noord" in panel


def test_team_leads_open_renew_and_close_portal_views_and_agents_may_not(articles, lead, agent):
    staff = Client()
    staff.force_login(lead)
    response = staff.post("/knowledge/portals/", {"account_group": "dealers", "name": "Dealernet Noord"})
    assert response.status_code == 303
    group = GroupPortal.objects.get()
    page = staff.get("/knowledge/portals/").content.decode()
    assert f"/help/p/{group.key}/" in page and "Dealernet Noord" in page
    again = staff.post("/knowledge/portals/", {"account_group": "dealers", "name": "Nog een"})
    assert again.status_code == 400 and GroupPortal.objects.count() == 1
    old = group.key
    staff.post(f"/knowledge/portals/{group.pk}/", {"step": "renew"})
    group.refresh_from_db()
    assert group.key != old
    staff.post(f"/knowledge/portals/{group.pk}/", {"step": "close"})
    group.refresh_from_db()
    assert not group.is_active
    outsider = Client()
    outsider.force_login(agent)
    assert outsider.get("/knowledge/portals/").status_code == 403
    assert outsider.post(f"/knowledge/portals/{group.pk}/", {"step": "open"}).status_code == 403
    group.refresh_from_db()
    assert not group.is_active
    with pytest.raises(PermissionDenied):
        group_portals.open_group_portal(by=agent, account_group="kiosken", name="Kiosken")
