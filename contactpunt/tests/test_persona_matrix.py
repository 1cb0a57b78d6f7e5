"""The persona matrix: every URL of the URLconf (the API's operations included) against eight personas.

Each (persona, URL) has an expected outcome in `MATRIX`; a URL missing from it fails the test ("place the new
URL in the matrix"). Path parameters are filled with real ids of a small fixture: the agent of queue A has a
case in queue A, the agent of queue B one in queue B. Besides the status, every page an agent may open must
not show the other queue's case (subject, customer name, link), and a refused page shows no case at all.
POSTs to refused writes change no row anywhere.

Outcomes: A allowed (200), O read-only (200 here; its writes are refused below), X refused (401, 403 or 404),
L login redirect (302 to a login page), R redirect to another page (302), M GET on a POST-only URL (405).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from contactpunt.access import (
    Action,
    can,
    get_case_for_user,
    get_customer_for_user,
    visible_cases,
    visible_customers,
    visible_messages,
)
from contactpunt.api.models import Integration
from contactpunt.conftest import make_user
from contactpunt.contacts.models import Attachment, Case, Channel, Message, Queue, ResponseTemplate
from contactpunt.contacts.services.attachments import store_attachments
from contactpunt.contacts.services.types import AttachmentInput
from contactpunt.contacts.tests.workspace_data import mail, skill
from contactpunt.knowledge.importing import load_published
from contactpunt.knowledge.models import Article
from contactpunt.kpis.live import latest_cases, overview
from contactpunt.people.models import Department, Role, Team, User
from contactpunt.quality.models import CalibrationRound, Review, Suggestion
from contactpunt.quality.services import CriterionSpec, create_scorecard, start_calibration
from contactpunt.quality.suggestions import propose
from contactpunt.workforce.models import ShiftPlan, TeamMeeting

pytestmark = pytest.mark.django_db

PERSONAS = ("agent_a", "agent_b", "lead", "manager", "auditor", "admin", "token", "anon")

# Rows: the outcome per persona, in the order of PERSONAS.
MANAGERS = "XXAAOALL"  # figures across queues: team lead and up, and the auditor
SIGNED_IN = "AAAAAALL"  # every signed-in person; their own data or their own scope
CASE_A_READ = "AXAAOALL"  # a read of case A: its queue's agent and the all-queue roles
CASE_A_WRITE_GET = "AXAAXALL"  # a GET that prepares a write on case A (the auditor is read-only)
POST_ONLY = "MMMMMMLL"  # login first, then POST only
POST_ONLY_OPEN = "MMMMMMMM"  # POST only before the login check (the view then refuses anonymous visitors)
TEMPLATES_READ = "XXAAOALL"
TEMPLATES_EDIT = "XXAAXALL"
PUBLIC = "AAAAAAAA"
API = "XXXXXXAX"  # the API answers an integration's token only (401 to sessions and anonymous visitors)
API_POST = "MMMMMMMM"  # POST operations: any GET is 405 (the method is checked before the token)
ADMIN_SITE = "LLLLLALL"  # Django's admin: staff only (the admin role), the others go to the admin's login

MATRIX: dict[str, str] = {
    # the overview, sign-in and the workspace
    "home": SIGNED_IN,
    "login": PUBLIC,
    "logout": "MMMMMMMM",
    "workspace:inbox": SIGNED_IN,
    "workspace:state": POST_ONLY,
    "workspace:next": POST_ONLY,
    "workspace:mentions": SIGNED_IN,
    "workspace:waiting": SIGNED_IN,
    "workspace:case": CASE_A_READ,
    "workspace:timeline": CASE_A_READ,
    "workspace:presence": CASE_A_READ,
    "workspace:orders": CASE_A_READ,
    "workspace:attachment": CASE_A_READ,  # a file of case A, as a download
    "workspace:templates": CASE_A_WRITE_GET,
    "workspace:template": CASE_A_WRITE_GET,
    "workspace:open": POST_ONLY,
    "workspace:leave": POST_ONLY,
    "workspace:heartbeat": POST_ONLY,
    "workspace:reply": POST_ONLY,
    "workspace:private": POST_ONLY,
    "workspace:no_response": POST_ONLY,
    "workspace:whatsapp_template": POST_ONLY,
    "workspace:note": POST_ONLY,
    "workspace:customer_note": POST_ONLY,
    "workspace:assign": POST_ONLY,
    "workspace:transfer": POST_ONLY,
    "workspace:wrap_up": POST_ONLY,
    "workspace:resolve": POST_ONLY,
    "workspace:reopen": POST_ONLY,
    "workspace:merge": POST_ONLY,
    # response templates
    "responses:list": TEMPLATES_READ,
    "responses:new": TEMPLATES_EDIT,
    "responses:preview": POST_ONLY,
    "responses:edit": TEMPLATES_EDIT,
    "responses:retire": POST_ONLY,
    "responses:restore": POST_ONLY,
    # dashboards
    "kpis:index": "XXRRRRLL",  # sends on to the default dashboard
    "kpis:today": MANAGERS,
    "kpis:manager": MANAGERS,
    "kpis:spoc": MANAGERS,
    "kpis:webcare": MANAGERS,
    "kpis:drill": MANAGERS,
    "kpis:formula": MANAGERS,
    "kpis:export_csv": MANAGERS,
    "kpis:export_xlsx": MANAGERS,
    "kpis:wallboard": MANAGERS,
    "kpis:wallboard_live": MANAGERS,
    # plans
    "workforce:index": "RRAAOALL",  # agents are sent to their own page
    "workforce:peaks": MANAGERS,
    "workforce:shifts": MANAGERS,
    "workforce:run_plan": "MMMMMMMM",
    "workforce:plan_status": MANAGERS,
    "workforce:adherence": MANAGERS,
    "workforce:me": SIGNED_IN,
    "workforce:meetings": MANAGERS,
    "workforce:skills": MANAGERS,
    "workforce:meeting": MANAGERS,
    # insights
    "insights:index": MANAGERS,
    "insights:remarks": SIGNED_IN,  # an agent sees only their own contacts' remarks
    "insights:detect": POST_ONLY_OPEN,
    "insights:retrain": POST_ONLY_OPEN,
    # journey: loyalty figures for team leads and up and the auditor; managers change the segment rules
    "journey:index": MANAGERS,
    "journey:edit_rule": POST_ONLY_OPEN,
    "journey:close_moment": POST_ONLY_OPEN,
    "journey:record_consent": POST_ONLY_OPEN,
    # channels: public endpoints for customers and platforms
    "channels:chat-widget": PUBLIC,
    "channels:webform": PUBLIC,
    "channels:webform-sent": PUBLIC,
    "channels:webform-embed": PUBLIC,
    "channels:webform-embed-sent": PUBLIC,
    "channels:meta-webhook": "XXXXXXXX",  # an unknown app: 404 to everyone
    # knowledge: the public self-service portal (no login)
    "knowledge:portal": PUBLIC,
    "knowledge:category": PUBLIC,
    "knowledge:article": PUBLIC,
    "knowledge:vote": POST_ONLY_OPEN,
    "knowledge:contact": PUBLIC,
    "knowledge:contact-sent": PUBLIC,
    "knowledge:suggest": PUBLIC,
    "knowledge:widget-suggest": PUBLIC,  # the chat widget's suggestions (JSON, across origins)
    "knowledge:brand-css": PUBLIC,  # the organisation's colour for the help pages
    # an account group's portal view: a wrong key finds nothing, for everyone
    "knowledge:group-portal": "XXXXXXXX",
    "knowledge:group-category": "XXXXXXXX",
    "knowledge:group-article": "XXXXXXXX",
    "knowledge:group-vote": POST_ONLY_OPEN,
    "knowledge:group-contact": "XXXXXXXX",
    "knowledge:group-contact-sent": "XXXXXXXX",
    "knowledge:group-suggest": "XXXXXXXX",
    # knowledge: the staff's pages (articles, what changed, templates to review, self-service figures)
    "knowledge:staff-list": SIGNED_IN,
    "knowledge:staff-new": TEMPLATES_EDIT,
    "knowledge:staff-article": SIGNED_IN,
    "knowledge:staff-edit": TEMPLATES_EDIT,
    "knowledge:staff-status": POST_ONLY_OPEN,
    "knowledge:staff-reviewed": POST_ONLY_OPEN,
    "knowledge:staff-quote": POST_ONLY_OPEN,
    "knowledge:todo": TEMPLATES_EDIT,  # the knowledge owner's to-do: whoever may write articles
    "knowledge:changes": SIGNED_IN,
    "knowledge:changes-read": POST_ONLY_OPEN,
    "knowledge:quote-review": POST_ONLY_OPEN,
    "knowledge:usage": MANAGERS,
    "knowledge:case-suggestions": CASE_A_READ,
    "knowledge:group-portals": TEMPLATES_EDIT,  # the links hold the keys: not for the read-only viewer
    "knowledge:group-portal-change": POST_ONLY_OPEN,
    # the REST API (token only)
    "api-v1:api-root": "XXXXXXXX",
    "api-v1:openapi-json": PUBLIC,  # the schema only, no data (django-ninja serves it without a token)
    "api-v1:openapi-view": PUBLIC,
    "api-v1:post_contact": API_POST,
    "api-v1:post_contacts_bulk": API_POST,
    "api-v1:post_contact_event": API_POST,
    "api-v1:post_agent_state": API_POST,
    "api-v1:get_cases": API,
    "api-v1:get_case": API,
    "api-v1:get_customers": API,
    "api-v1:get_customer": API,
    "api-v1:export": API,
    "api-v1:erase": API_POST,
    "api-v1:post_order": API_POST,
    "api-v1:get_customer_orders": API,  # the other people in a booking: identities only with their consent
    "api-v1:get_consent": API,
    "api-v1:post_consent": API,  # the same path as get_consent: a GET there reads the consent
    # GDPR: a customer's data, exported or erased by managers and administrators only
    "privacy:search": "XXXAXALL",
    "privacy:customer": "XXXAXALL",
    "privacy:export": POST_ONLY,
    "privacy:erase": POST_ONLY,
    # feedback: the public survey on its signed link (a made-up token is refused with 404 to everyone)
    "feedback:survey": "XXXXXXXX",
    "feedback:dashboard": MANAGERS,
    "feedback:analysis": MANAGERS,  # the dashboard's driver analysis, asked for apart
    "feedback:follow_ups": MANAGERS,
    "feedback:follow_up": "XXXXXXLL",  # the fixture has no follow-up: 404 to everyone signed in
    "feedback:compliments": SIGNED_IN,
    "feedback:promoter_reply": POST_ONLY_OPEN,
    "feedback:pdca": MANAGERS,  # an agent sees the comments on their own contacts
    "feedback:pdca_pdf": MANAGERS,
    "feedback:survey_stop": POST_ONLY_OPEN,
    # the weekly check-in: everyone who works gives their own; team lead and up, and the auditor, see teams
    "checkin:mine": "AAAAXALL",
    "checkin:team": MANAGERS,
    # quality: reviews, the weekly sample, the scorecard, calibration rounds; an agent's own reviews
    "quality:index": MANAGERS,
    "quality:draw": POST_ONLY_OPEN,
    "quality:scorecard": MANAGERS,
    "quality:review": "XXAAOALL",  # the lead's review of agent A's contact, not yet done: agent A sees it once done
    "quality:start_round": POST_ONLY_OPEN,
    "quality:calibration": MANAGERS,
    "quality:mine": SIGNED_IN,
    "quality:coaching": "XXAAXALL",  # coaching is personnel data: not for the auditor
    "quality:coach": "AXAAXALL",
    "quality:suggestions": SIGNED_IN,
    "quality:suggestion": SIGNED_IN,  # agent A's own coaching: agent A, their team lead, managers, admins
}

#: Every URL under Django's admin site answers as ADMIN_SITE, but for these (the admin persona opens the pages
#: without an object id: the index, each app, each list).
ADMIN_PREFIX = "admin/"
ADMIN_ROWS = {
    "admin:login": "AAAAARAA",  # the admin's sign-in form; a signed-in admin is sent on
    "admin:logout": "RRRRRMRR",  # POST only for staff; the others are sent to the admin's sign-in
    "admin:autocomplete": "LLLLLXLL",  # needs its query parameters
    "admin/(?P<url>.*)$": "LLLLLXLL",  # the admin's catch-all: 404 to staff
}


@dataclass(frozen=True, slots=True)
class Route:
    name: str  # "namespace:name", or the route itself when it has no name
    route: str  # the pattern, e.g. "workspace/cases/<str:case_id>/"
    pattern: URLPattern


def routes() -> Iterator[Route]:
    def walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Route]:
        for item in resolver.url_patterns:
            if isinstance(item, URLResolver):
                ns = item.namespace or ""
                yield from walk(item, prefix + str(item.pattern), f"{namespace}{ns}:" if ns else namespace)
            else:
                route = prefix + str(item.pattern)
                yield Route(f"{namespace}{item.name}" if item.name else route, route, item)

    yield from walk(get_resolver(), "", "")


@dataclass
class World:
    queue_a: Queue
    queue_b: Queue
    case_a: Case
    case_b: Case
    users: dict[str, User]
    token: str
    template: ResponseTemplate
    plan: ShiftPlan
    attachment: Attachment
    article: Article
    review: Review
    round: CalibrationRound
    meeting: TeamMeeting
    suggestion: Suggestion

    def markers(self, case: Case) -> list[str]:
        """What would give a case away on a page: its subject, its customer's name, its link."""
        assert case.customer is not None
        return [case.subject, case.customer.display_name, f"/workspace/cases/{case.pk}/"]

    def client(self, persona: str) -> Client:
        if persona == "token":
            return Client(HTTP_AUTHORIZATION=f"Bearer {self.token}")
        client = Client()
        if persona != "anon":
            client.force_login(self.users[persona])
        return client


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> World:
    settings.MEDIA_ROOT = tmp_path
    department = Department.objects.create(name="Klantenservice")
    team = Team.objects.create(name="Team Noord", department=department)
    queue_a = Queue.objects.create(code="mail-a", name="Mail A", channel=Channel.EMAIL, department=department)
    queue_b = Queue.objects.create(code="mail-b", name="Mail B", channel=Channel.EMAIL, department=department)
    queue_a.skills.add(skill("skill-a"))
    queue_b.skills.add(skill("skill-b"))
    at = timezone.now() - dt.timedelta(hours=1)
    case_a = mail(queue_a, at, "a1", sender="alfa@example.nl", name="Alfred Alfaklant", subject="Alfa-onderwerp")
    case_b = mail(queue_b, at, "b1", sender="bravo@example.nl", name="Bea Bravoklant", subject="Bravo-onderwerp")
    mail(queue_b, at, "b2", sender="bravo2@example.nl", name="Bob Bravotwee", subject="Bravo-tweede")
    users = {
        "agent_a": make_user("agent-a", Role.AGENT, team),
        "agent_b": make_user("agent-b", Role.AGENT, team),
        "lead": make_user("lead", Role.TEAM_LEAD, team),
        "manager": make_user("manager", Role.MANAGER, team),
        "auditor": make_user("auditor", Role.VIEWER, team),
        "admin": make_user("admin", Role.ADMIN, team),
    }
    users["agent_a"].skills.add(skill("skill-a"))
    users["agent_b"].skills.add(skill("skill-b"))
    User.objects.filter(pk=users["admin"].pk).update(is_staff=True, is_superuser=True)
    users["admin"].refresh_from_db()
    integration = Integration(name="Centrale", source="pbx")
    token = integration.set_new_token()
    integration.save()
    template = ResponseTemplate.objects.create(name="Groet", text="Beste klant,", is_active=True)
    plan = ShiftPlan.objects.create(first_day=dt.date(2026, 3, 2), days=7, queue=queue_a)
    (attachment,) = store_attachments(
        Message.objects.get(case=case_a), [AttachmentInput("bon.txt", "text/plain", b"kassabon 12,50")]
    )
    load_published(
        [{"article_id": "kb-1", "title": "Wachtwoord", "body": "Herstel het.", "language": "nl", "category": "Account"}]
    )
    card = create_scorecard(name="Kwaliteit", criteria=[CriterionSpec("Vriendelijk")])
    contact_a = case_a.contacts.get()
    review = Review.objects.create(
        scorecard=card, contact=contact_a, agent=users["agent_a"], reviewer=users["lead"], assigned_at=at
    )
    round_ = start_calibration(
        name="Ronde", scorecard=card, contacts=[contact_a, case_b.contacts.get()],
        reviewers=[users["lead"], users["manager"]], by=users["manager"], now=at,
    )  # fmt: skip
    return World(
        queue_a,
        queue_b,
        Case.objects.select_related("customer").get(pk=case_a.pk),
        Case.objects.select_related("customer").get(pk=case_b.pk),
        users,
        token,
        template,
        plan,
        attachment,
        Article.objects.get(external_id="kb-1"),
        review,
        round_,
        TeamMeeting.objects.create(team=team, week=dt.date(2026, 3, 2), start=at, end=at + dt.timedelta(minutes=20)),
        propose(author=users["agent_a"], title="Terugbelverzoek", now=at),
    )


def fill(route: Route, world: World) -> str:
    """The URL of `route` with its path parameters set to real ids of the fixture."""
    values = {
        "case_id": world.case_a.pk,
        "template_id": world.template.pk,
        "attachment_id": world.attachment.pk,
        "pk": world.plan.pk,
        "key": "service_level",
        "app_id": "unknown-app",
        "customer_id": world.case_a.customer_id,
        "object_id": 1,
        "id": 1,
        "content_type_id": 1,
        "app_label": "contacts",
        "token": "geen-geldige-link",
        "follow_up_id": 1,
        "answer_id": 1,
        "article_id": world.article.pk,
        "quote_id": 1,
        "slug": "account",
        "review_id": world.review.pk,
        "agent_id": world.users["agent_a"].pk,
        "meeting_id": world.meeting.pk,
        "suggestion_id": world.suggestion.pk,
        "round_id": world.round.pk,
        "rule_id": 1,
        "portal_key": "geen-geldige-sleutel",
        "group_id": 1,
        "task_id": 1,
        "part": "drivers",
    }
    if "(?P<app_label>" in route.route:  # the admin's page of one app (a regular expression)
        return "/admin/contacts/"
    if "(?P<url>" in route.route:  # the admin's catch-all
        return "/admin/no-such-page/"
    url = "/" + route.route
    for name in route.pattern.pattern.regex.groupindex:
        value = values[name]
        url = url.replace(f"<{name}>", str(value))
        for converter in ("str", "int", "slug", "path"):
            url = url.replace(f"<{converter}:{name}>", str(value))
    assert "<" not in url, f"no value for a parameter of {route.route}"
    return url


def expected(route: Route, persona: str) -> str:
    if route.route.startswith(ADMIN_PREFIX):
        key = route.name if route.name in ADMIN_ROWS else route.route.removeprefix("^")
        return ADMIN_ROWS.get(key, ADMIN_SITE)[PERSONAS.index(persona)]
    row = MATRIX.get(route.name)
    assert row is not None, f"place the new URL {route.route} ({route.name}) in the matrix"
    assert len(row) == len(PERSONAS), route.name
    return row[PERSONAS.index(persona)]


def outcome_of(status: int, location: str) -> str:
    if status == 200:
        return "A"
    if status in (401, 403, 404):
        return "X"
    if status == 405:
        return "M"
    if status == 302:
        return "L" if location.startswith(("/login/", "/admin/login/")) else "R"
    return f"?{status}"


def admin_sweep(route: Route, persona: str) -> bool:
    """Which admin URLs a persona opens: the anonymous visitor every one (all pass the same staff check), the
    admin the pages without an object id (index, each app, each list), the others the index and each app."""
    if persona == "anon":
        return True
    core = route.route in ("admin/", "admin/login/", "admin/logout/") or "(?P<" in route.route
    if persona == "admin":
        return core or ("<" not in route.route and not route.route.endswith("/add/"))
    return core


def test_every_url_is_in_the_matrix() -> None:
    names = {r.name for r in routes() if not r.route.startswith(ADMIN_PREFIX)}
    missing = sorted(names - MATRIX.keys())
    stale = sorted(MATRIX.keys() - names)
    assert not missing, f"place the new URLs in the matrix: {missing}"
    assert not stale, f"the matrix names URLs that no longer exist: {stale}"


def test_every_persona_gets_its_expected_outcome_and_sees_nothing_outside_its_scope(world: World) -> None:
    wrong: list[str] = []
    leaks: list[str] = []
    requests = 0
    all_markers = world.markers(world.case_a) + world.markers(world.case_b)
    outside = {"agent_a": world.markers(world.case_b), "agent_b": world.markers(world.case_a)}
    for persona in PERSONAS:
        client = world.client(persona)
        for route in routes():
            if route.route.startswith(ADMIN_PREFIX) and not admin_sweep(route, persona):
                continue
            url = fill(route, world)
            response = client.get(url)
            requests += 1
            got = outcome_of(response.status_code, response.get("Location", ""))
            want = expected(route, persona)
            if got != want and not (want == "O" and got == "A"):
                wrong.append(f"{persona} GET {url}: expected {want}, got {got} ({response.status_code})")
            body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
            text = body.decode("utf-8", errors="replace")
            forbidden = all_markers if got in "XLMR" else outside.get(persona, [])
            leaks += [f"{persona} GET {url} shows {m!r}" for m in forbidden if m in text]
    assert not wrong, "\n".join(wrong)
    assert not leaks, "\n".join(leaks)
    assert requests > 300


def _counts() -> dict[str, int]:
    # Signing in makes sessions; every other table must stay as it was.
    return {m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.label != "sessions.Session"}


def _case_state(case: Case) -> tuple[object, ...]:
    fresh = Case.objects.get(pk=case.pk)
    return (fresh.status, fresh.assignee_id, fresh.queue_id, fresh.reason_id, fresh.subject, fresh.merged_into_id)


def test_refused_writes_change_nothing(world: World) -> None:
    a = world.case_a.pk
    writes = [
        ("agent_b", f"/workspace/cases/{a}/reply/", {"body": "Hallo"}, "X"),
        ("agent_b", f"/workspace/cases/{a}/note/", {"text": "intern"}, "X"),
        ("agent_b", f"/workspace/cases/{a}/resolve/", {}, "X"),
        ("agent_b", f"/workspace/cases/{a}/assign/", {"assignee": str(world.users["agent_b"].pk)}, "X"),
        ("auditor", f"/workspace/cases/{a}/reply/", {"body": "Hallo"}, "X"),
        ("auditor", f"/workspace/cases/{a}/customer-note/", {"text": "x"}, "X"),
        ("auditor", f"/workspace/cases/{a}/resolve/", {}, "X"),
        ("auditor", f"/workspace/cases/{a}/open/", {}, "X"),
        ("auditor", "/workspace/state/", {"state": "available"}, "X"),
        ("auditor", "/workspace/next/", {}, "X"),
        ("auditor", "/templates/new/", {"name": "Nieuw", "text": "x"}, "X"),
        ("auditor", "/workforce/peaks/", {"name": "Piek", "date": "2026-03-02", "uplift": "1.5"}, "X"),
        ("auditor", "/workforce/shifts/run/", {"first_day": "2026-03-09", "days": "7"}, "X"),
        ("auditor", "/insights/retrain/", {}, "X"),
        ("auditor", "/checkin/", {"mood": "green"}, "X"),
        ("auditor", "/quality/sample/", {}, "X"),
        ("auditor", "/workforce/meetings/", {"team": "1"}, "X"),
        ("auditor", "/workforce/skills/", {"user": "1", "skill": "1", "level": "3"}, "X"),
        ("auditor", "/quality/suggestions/", {"title": "Idee"}, "X"),
        ("agent_a", f"/quality/suggestions/{world.suggestion.pk}/", {"status": "rejected", "reason": "x"}, "X"),
        ("agent_a", "/workforce/meetings/", {"team": "1"}, "X"),
        ("auditor", "/quality/scorecard/", {"name": "Nieuw", "label-0": "x"}, "X"),
        ("agent_a", "/quality/calibration/", {"name": "Ronde 2"}, "X"),
        ("agent_a", "/quality/scorecard/", {"name": "Nieuw", "label-0": "x"}, "X"),
        ("agent_a", f"/quality/coaching/{world.users['agent_a'].pk}/", {"what": "note", "text": "x"}, "X"),
        ("auditor", f"/quality/coaching/{world.users['agent_a'].pk}/", {"what": "note", "text": "x"}, "X"),
        ("manager", f"/quality/reviews/{world.review.pk}/", {"criterion-1": "1"}, "X"),
        ("auditor", "/journey/segments/1/", {"r1-name": "Fans", "r1-position": "1"}, "X"),
        ("lead", "/journey/segments/1/", {"r1-name": "Fans", "r1-position": "1"}, "X"),
        ("agent_a", "/journey/segments/1/", {"r1-name": "Fans", "r1-position": "1"}, "X"),
        ("agent_a", "/api/v1/orders", {}, "X"),
        ("auditor", "/journey/moments/1/", {"status": "done"}, "X"),
        ("agent_a", "/templates/new/", {"name": "Nieuw", "text": "x"}, "X"),
        ("agent_a", f"/templates/{world.template.pk}/retire/", {}, "X"),
        ("agent_a", "/workforce/shifts/run/", {"first_day": "2026-03-09", "days": "7"}, "X"),
        ("agent_a", "/insights/detect/", {}, "X"),
        ("lead", "/workforce/peaks/", {"name": "Piek", "date": "2026-03-02", "uplift": "1.5"}, "X"),
        ("anon", f"/workspace/cases/{a}/reply/", {"body": "Hallo"}, "L"),
        ("anon", "/templates/new/", {"name": "Nieuw", "text": "x"}, "L"),
        ("anon", "/insights/retrain/", {}, "L"),
        ("agent_a", "/api/v1/contacts", {}, "X"),
        ("auditor", "/knowledge/portals/", {"account_group": "dealers", "name": "Dealers"}, "X"),
        ("agent_a", "/knowledge/portals/", {"account_group": "dealers", "name": "Dealers"}, "X"),
        ("anon", "/help/p/geen-geldige-sleutel/contact/", {"name": "x", "email": "x@example.nl"}, "X"),
        ("anon", "/api/v1/contact-events", {}, "X"),
    ]
    before, state = _counts(), _case_state(world.case_a)
    wrong = []
    for persona, url, data, want in writes:
        response = world.client(persona).post(url, data)
        got = outcome_of(response.status_code, response.get("Location", ""))
        if got != want:
            wrong.append(f"{persona} POST {url}: expected {want}, got {got} ({response.status_code})")
        text = response.content.decode("utf-8", errors="replace")
        wrong += [f"{persona} POST {url} shows {m!r}" for m in world.markers(world.case_a) if m in text]
    assert not wrong, "\n".join(wrong)
    after = _counts()
    assert {k: (before[k], after[k]) for k in before if before[k] != after[k]} == {}
    assert _case_state(world.case_a) == state


def test_the_agents_overview_and_inbox_count_only_their_queues(world: World) -> None:
    agent_a = world.users["agent_a"]
    now = timezone.now()
    assert [c.pk for c in latest_cases(agent_a)] == [world.case_a.pk]
    assert sorted(visible_cases(agent_a).values_list("pk", flat=True)) == [world.case_a.pk]
    assert len(latest_cases(world.users["manager"])) == 3
    figures = str(overview(agent_a, now, dt.UTC))
    assert "Mail B" not in figures and "Mail A" in figures
    # the inbox narrowed to queue B (a "search" outside the scope) lists nothing of it
    client = world.client("agent_a")
    for url in (f"/workspace/?queue={world.queue_b.pk}", f"/workspace/?queue={world.queue_b.pk}&partial=1", "/"):
        text = client.get(url).content.decode()
        for marker in [*world.markers(world.case_b), "Bob Bravotwee", "Bravo-tweede", "Mail B"]:
            assert marker not in text, (url, marker)


def test_the_rules_per_role(world: World) -> None:
    users = world.users
    people = PERSONAS[:6]
    assert [p for p in people if can(users[p], Action.VIEW_DASHBOARDS)] == ["lead", "manager", "auditor", "admin"]
    assert [p for p in people if can(users[p], Action.WRITE)] == [
        "agent_a",
        "agent_b",
        "lead",
        "manager",
        "admin",
    ]
    assert [p for p in PERSONAS[:6] if can(users[p], Action.EDIT_PEAKS)] == ["manager", "admin"]
    assert [p for p in PERSONAS[:6] if can(users[p], Action.MANAGE_TEMPLATES)] == ["lead", "manager", "admin"]
    assert not any(can(AnonymousUser(), action) for action in Action)
    assert not visible_cases(AnonymousUser()).exists()
    customer_a, customer_b = world.case_a.customer_id, world.case_b.customer_id
    assert list(visible_customers(users["agent_a"]).values_list("pk", flat=True)) == [customer_a]
    assert visible_customers(users["auditor"]).filter(pk=customer_b).exists()
    assert get_customer_for_user(users["agent_b"], customer_b).pk == customer_b
    with pytest.raises(Http404):
        get_customer_for_user(users["agent_b"], customer_a)
    with pytest.raises(PermissionDenied):
        get_customer_for_user(users["auditor"], customer_a, write=True)
    assert set(visible_messages(users["agent_a"]).values_list("case_id", flat=True)) == {world.case_a.pk}
    with pytest.raises(PermissionDenied):
        get_case_for_user(users["auditor"], world.case_a.pk, write=True)
    with pytest.raises(Http404):  # the outsider learns nothing, not even that a write would be refused
        get_case_for_user(users["agent_b"], world.case_a.pk, write=True)
