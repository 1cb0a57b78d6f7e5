"""Who may see and change what: roles, scopes and permission-checked getters, in one place.

Roles (`people.Role`):

- *agent*: works the cases of the active queues whose required skills they all have (a queue that asks no
  skill is everyone's) and every case assigned to them; sees their own shifts and remarks;
- *team lead*, *manager*, *admin* (and a superuser): see every queue and the dashboards, plans, insights
  and templates; team leads and up manage templates and run plans; managers and admins change the peak
  calendar;
- *read-only viewer* (the auditor): sees what a manager sees and changes nothing (403 on every write).

The other people in a booking (`guest_details`; guest privacy, `docs/privacy.md`): everyone who may see a customer
sees the name and role (booker, fellow traveller) of the other people in that customer's bookings, never of an
erased one. A person's own contact data (identities), notes and contact history (their cases) are shown beside
another person's booking only to the roles that see every queue (team lead, manager, admin, and the read-only
viewer: they can open that person's cases anyway), or, to an agent and to an integration through the API, when that
person agreed to share within the booking (consent purpose "sharing", only after a yes; a later no takes it back).
Every time a user is shown such details the audit log records who saw whose, and on what basis.

Getters answer 404 for a case outside the user's scope (no existence leak) and 403 when a read-only user
asks to write. Views ask `can(user, action)` or wear `@require(action)`; querysets come from
`visible_cases` and `case_scope`. This module imports only models (contacts, customers, people) and what customers
agreed to (`customers.consent`), never web or api.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from contactpunt.contacts.models import Attachment, Case, Contact, Message, Queue
from contactpunt.customers import consent
from contactpunt.customers.models import Consent, ConsentPurpose, Customer
from contactpunt.people.models import CheckIn, Role, Team, User


class Action(StrEnum):
    """What a user may ask to do; `can` answers per role."""

    WRITE = "write"  # change cases, send replies, set one's state
    SEE_ALL_QUEUES = "see_all_queues"  # every queue's cases, counts and figures
    VIEW_DASHBOARDS = "view_dashboards"  # KPI pages, exports, wallboard, workforce overview, insights
    VIEW_TEMPLATES = "view_templates"  # the response-templates page
    MANAGE_TEMPLATES = "manage_templates"  # create, edit, retire and restore templates
    PLAN = "plan"  # run shift plans, retrain and detect in insights
    EDIT_PEAKS = "edit_peaks"  # change the peak calendar
    MANAGE_CUSTOMER_DATA = "manage_customer_data"  # export and erase a customer's personal data (GDPR)
    VIEW_FEEDBACK = "view_feedback"  # survey figures, drivers and every follow-up of detractors
    FOLLOW_UP = "follow_up"  # record the outcome of a detractor's follow-up
    READ_ARTICLES = "read_articles"  # knowledge articles, internal ones included, and "what changed"
    MANAGE_ARTICLES = "manage_articles"  # write, review, publish and retire knowledge articles
    CHECK_IN = "check_in"  # give one's own weekly check-in
    VIEW_TEAM_MOODS = "view_team_moods"  # the check-ins of teams: a team lead their own team, others aggregates
    VIEW_QUALITY = "view_quality"  # scorecards, reviews and calibration rounds
    REVIEW_QUALITY = "review_quality"  # score contacts, run calibration rounds, edit scorecards
    VIEW_JOURNEYS = "view_journeys"  # loyalty figures: cohorts, segments, service and loyalty, cost to serve
    MANAGE_SEGMENTS = "manage_segments"  # change the segment rules and the moment rules
    SEE_GUEST_DETAILS = "see_guest_details"  # others' contact data, notes and history in a booking, without consent


MANAGING = frozenset({Role.TEAM_LEAD, Role.MANAGER, Role.ADMIN})

_REFUSALS: dict[Action, Any] = {
    Action.WRITE: "read-only",  # a short code the 403 page explains in the user's language
    Action.SEE_ALL_QUEUES: _("Only team leads, managers and read-only viewers can see this."),
    Action.VIEW_DASHBOARDS: _("Only team leads, managers and read-only viewers can see this."),
    Action.VIEW_TEMPLATES: _("Only team leads, managers and administrators manage response templates."),
    Action.MANAGE_TEMPLATES: _("Only team leads, managers and administrators manage response templates."),
    Action.PLAN: _("Only team leads, managers and administrators can do this."),
    Action.EDIT_PEAKS: _("Only managers and administrators can change the peak calendar."),
    Action.MANAGE_CUSTOMER_DATA: _("Only managers may export or erase customer data."),
    Action.VIEW_FEEDBACK: _("Only team leads, managers and read-only viewers can see this."),
    Action.FOLLOW_UP: _("Only team leads, managers and administrators follow up survey answers."),
    Action.READ_ARTICLES: _("Sign in to read the knowledge base."),
    Action.MANAGE_ARTICLES: _("Only team leads, managers and administrators write knowledge articles."),
    Action.CHECK_IN: "read-only",
    Action.VIEW_TEAM_MOODS: _("Only team leads, managers and read-only viewers can see this."),
    Action.VIEW_QUALITY: _("Only team leads, managers and read-only viewers can see this."),
    Action.REVIEW_QUALITY: _("Only team leads, managers and administrators can do this."),
    Action.VIEW_JOURNEYS: _("Only team leads, managers and read-only viewers can see this."),
    Action.MANAGE_SEGMENTS: _("Only managers and administrators can change the segment and moment rules."),
    Action.SEE_GUEST_DETAILS: _("Only team leads, managers and read-only viewers can see this."),
}


def _as_user(user: object) -> User | None:
    """The signed-in active `User`, or None for anonymous visitors and anything else."""
    if isinstance(user, User) and user.is_authenticated and user.is_active:
        return user
    return None


def is_read_only(user: object) -> bool:
    person = _as_user(user)
    return person is None or person.role == Role.VIEWER


def manages(user: object) -> bool:
    """Team lead and up (a superuser too), never the read-only viewer."""
    person = _as_user(user)
    return person is not None and not is_read_only(person) and (person.role in MANAGING or person.is_superuser)


def can(user: object, action: Action | str) -> bool:
    """Whether `user` may do `action` (an `Action` or its value); anonymous visitors may do nothing."""
    person = _as_user(user)
    if person is None:
        return False
    act = Action(action)
    viewer = person.role == Role.VIEWER
    if act in (Action.WRITE, Action.CHECK_IN):
        return not viewer
    if act is Action.READ_ARTICLES:
        return True
    if act in (
        Action.SEE_ALL_QUEUES,
        Action.VIEW_DASHBOARDS,
        Action.VIEW_TEMPLATES,
        Action.VIEW_FEEDBACK,
        Action.VIEW_TEAM_MOODS,
        Action.VIEW_QUALITY,
        Action.VIEW_JOURNEYS,
        Action.SEE_GUEST_DETAILS,
    ):
        return viewer or manages(person)
    if act in (Action.MANAGE_TEMPLATES, Action.PLAN, Action.FOLLOW_UP, Action.MANAGE_ARTICLES, Action.REVIEW_QUALITY):
        return manages(person)
    if act in (Action.EDIT_PEAKS, Action.MANAGE_CUSTOMER_DATA, Action.MANAGE_SEGMENTS):
        return not viewer and (person.role in (Role.MANAGER, Role.ADMIN) or person.is_superuser)
    raise ValueError(act)  # pragma: no cover - StrEnum above is exhaustive


def check(user: object, action: Action | str) -> None:
    """Raise PermissionDenied (with the reason) unless `user` may do `action`."""
    if not can(user, action):
        raise PermissionDenied(_REFUSALS[Action(action)])


View = Callable[..., HttpResponse]


def require(*actions: Action | str) -> Callable[[View], View]:
    """View decorator: anonymous visitors go to the login page, users without every action get 403."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            for action in actions:
                check(request.user, action)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


# -- scopes: queues and cases ----------------------------------------------------------------------


def sees_every_queue(user: User) -> bool:
    """True for the roles that look across all queues (team lead and up, and the read-only viewer)."""
    return can(user, Action.SEE_ALL_QUEUES)


def skilled_queues(user: User) -> QuerySet[Queue]:
    """The active queues whose required skills the user all has (a queue without skills is everyone's)."""
    missing = Queue.skills.through.objects.exclude(skill_id__in=user.skills.values("pk")).values("queue_id")
    return Queue.objects.filter(is_active=True).exclude(pk__in=missing)


def queues_for(user: User) -> QuerySet[Queue]:
    """The queues whose cases the user may see."""
    if _as_user(user) is None:
        return Queue.objects.none()
    return Queue.objects.all() if sees_every_queue(user) else skilled_queues(user)


def case_scope(user: User, prefix: str = "") -> Q:
    """The condition on a case (reached through `prefix`, e.g. "case__") that the user may see it."""
    if _as_user(user) is None:
        return Q(pk__in=[])
    if sees_every_queue(user):
        return Q()
    return Q(**{f"{prefix}queue__in": skilled_queues(user)}) | Q(**{f"{prefix}assignee": user})


def visible_cases(user: User) -> QuerySet[Case]:
    """Every case the user may see (merged cases included: they lead to their target)."""
    return Case.objects.filter(case_scope(user))


def get_case_for_user(user: User, case_id: object, *, write: bool = False) -> Case:
    """Return the case `case_id` when the user may see it.

    Raise Http404 when the id is malformed, the case does not exist or the user may not see it, and
    PermissionDenied when `write` is asked by a read-only user (after the 404 check, so the viewer
    learns nothing new).
    """
    try:
        pk = int(str(case_id))
    except ValueError:
        raise Http404("no such case") from None
    if pk <= 0 or pk > 2**63 - 1:
        raise Http404("no such case")
    case = (
        visible_cases(user)
        .select_related("queue", "customer", "customer__account", "assignee", "reason")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404("no such case")
    if case.customer is not None:
        # Its customer is one the user may see (a customer with a case in the user's scope): the page's panels
        # need not ask again (`may_see_customer`).
        case.customer._visible_to = user.pk  # type: ignore[attr-defined]
    if write:
        check(user, Action.WRITE)
    return case


def live_ids_for(user: object, ids: dict[str, Any]) -> dict[str, Any] | None:
    """What of a live message naming `ids` (case_id, contact_id, agent_id, count...) may reach `user`; None when
    nothing may (`live_items_for` with one item)."""
    allowed = live_items_for(user, [ids])
    return allowed[0] if allowed else None


def live_items_for(user: object, items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The live messages of `items` that may reach `user`, in order, each cut to what the user may know.

    Asked as they go out: the user is read afresh, so a deactivated user, a changed role or a removed skill
    counts at once, and a case or contact outside the user's scope is never named to them. A batch's count spans
    every queue, so only the all-queue roles get it; agent states reach every signed-in user. A batch costs at
    most three queries however many items it holds (the user, its cases, its contacts)."""
    signed_in = _as_user(user)
    if signed_in is None or not items:
        return []
    person = User.objects.filter(pk=signed_in.pk, is_active=True).first()
    if person is None:
        return []
    case_ids = {ids["case_id"] for ids in items if "case_id" in ids}
    contact_ids = {ids["contact_id"] for ids in items if "contact_id" in ids}
    cases = set(visible_cases(person).filter(pk__in=case_ids).values_list("pk", flat=True)) if case_ids else set()
    contacts = (
        set(Contact.objects.filter(case_scope(person, "case__"), pk__in=contact_ids).values_list("pk", flat=True))
        if contact_ids
        else set()
    )
    every_queue = sees_every_queue(person)
    allowed = []
    for ids in items:
        if ("case_id" in ids and ids["case_id"] not in cases) or (
            "contact_id" in ids and ids["contact_id"] not in contacts
        ):
            continue
        allowed.append(ids if every_queue or "count" not in ids else {k: v for k, v in ids.items() if k != "count"})
    return allowed


def visible_messages(user: User) -> QuerySet[Message]:
    """The messages of the cases the user may see."""
    return Message.objects.filter(case_scope(user, "case__"))


def get_attachment_for_user(user: User, case: Case, attachment_id: object) -> Attachment:
    """Return the stored attachment `attachment_id` of a message of `case` (a case the caller got through
    `get_case_for_user`); Http404 when the id is malformed, belongs to another case, or was withheld."""
    try:
        pk = int(str(attachment_id))
    except ValueError:
        raise Http404("no such attachment") from None
    found = (
        Attachment.objects.filter(pk=pk, message__case=case, message__case__in=visible_cases(user), withheld="")
        .exclude(file="")
        .select_related("message")
        .first()
        if 0 < pk <= 2**63 - 1
        else None
    )
    if found is None:
        raise Http404("no such attachment")
    return found


def visible_customers(user: User) -> QuerySet[Customer]:
    """The customers the user may see: all for the all-queue roles, else those with a case in the user's scope
    (an agent then sees the customer's whole history, other queues' cases included, on the case page)."""
    if _as_user(user) is not None and sees_every_queue(user):
        return Customer.objects.all()
    return Customer.objects.filter(pk__in=visible_cases(user).filter(customer__isnull=False).values("customer_id"))


def may_see_customer(user: User, customer: Customer) -> bool:
    """Whether the user may see `customer`. A customer read with a case the user may see (`get_case_for_user`, in
    this request) is known to be visible without asking the database again: the case page's panels each ask."""
    if user.pk is not None and getattr(customer, "_visible_to", None) == user.pk:
        return True
    return visible_customers(user).filter(pk=customer.pk).exists()


def get_customer_for_user(user: User, customer_id: object, *, write: bool = False) -> Customer:
    """The customer `customer_id` when the user may see them; Http404 otherwise, PermissionDenied on a write by
    a read-only user (after the 404 check)."""
    try:
        pk = int(str(customer_id))
    except ValueError:
        raise Http404("no such customer") from None
    customer = visible_customers(user).filter(pk=pk).first() if 0 < pk <= 2**63 - 1 else None
    if customer is None:
        raise Http404("no such customer")
    if write:
        check(user, Action.WRITE)
    return customer


def consents_for(user: User, customer: Customer | None) -> list[Consent]:
    """The consent records of `customer` (newest first) when the user may see the customer; [] otherwise. What a
    customer agreed to is shown to whoever works their cases, so that nobody offers what they refused."""
    if customer is None or not may_see_customer(user, customer):
        return []
    return list(Consent.objects.filter(customer=customer).select_related("recorded_by").order_by("-given_at", "-id"))


# -- guests: the other people in a booking ---------------------------------------------------------------


class GuestBasis(StrEnum):
    """Why a user may see another person's details beside a customer's booking."""

    ROLE = "role"  # a role that sees every queue
    CONSENT = "consent"  # the person agreed to share within the booking


def guest_details(user: User, customer_id: int, others: Iterable[int]) -> dict[int, GuestBasis]:
    """Which of `others` (the other people of bookings the customer `customer_id` is in) `user` may see the contact
    data, notes and contact history of beside that customer, each with the basis; {} when the user may not see the
    customer at all. Their names and roles are for whoever sees the customer (the module's rules)."""
    wanted = set(others) - {customer_id}
    if not wanted or _as_user(user) is None or not visible_customers(user).filter(pk=customer_id).exists():
        return {}
    if can(user, Action.SEE_GUEST_DETAILS):
        return dict.fromkeys(wanted, GuestBasis.ROLE)
    return dict.fromkeys(consent.permitted(wanted, ConsentPurpose.SHARING), GuestBasis.CONSENT)


def guest_details_for_integration(others: Iterable[int]) -> dict[int, GuestBasis]:
    """Which of `others` an integration (the API, no person, no role) gets the identities of beside a booking they
    are in: those who agreed to share within the booking."""
    return dict.fromkeys(consent.permitted(set(others), ConsentPurpose.SHARING), GuestBasis.CONSENT)


def may_work_queue(user: User, queue_id: int) -> bool:
    """Whether `user` may be given cases of the queue: not read-only, and the queue in their scope."""
    return can(user, Action.WRITE) and queues_for(user).filter(pk=queue_id).exists()


def workers_of(queue: Queue) -> list[User]:
    """Active people who may work the queue: its required skills all present, or team lead and up."""
    required = set(queue.skills.values_list("pk", flat=True))
    people = User.objects.filter(is_active=True).exclude(role=Role.VIEWER).prefetch_related("skills")
    return [
        u
        for u in people.order_by("first_name", "last_name", "username")
        if manages(u) or required <= {s.pk for s in u.skills.all()}
    ]


# -- wellbeing: the weekly check-in ------------------------------------------------------------------


def leads_team(user: object, team_id: int | None) -> bool:
    """Whether `user` is the team lead of the team `team_id` (a team lead's own team only)."""
    person = _as_user(user)
    return person is not None and team_id is not None and person.role == Role.TEAM_LEAD and person.team_id == team_id


def readable_check_ins(user: object) -> QuerySet[CheckIn]:
    """The check-ins whose mood and note `user` may read one by one: their own, and for a team lead those given
    in their own team. Managers, administrators and the auditor read no one else's (only team aggregates)."""
    person = _as_user(user)
    if person is None:
        return CheckIn.objects.none()
    mine = Q(user=person)
    if person.role == Role.TEAM_LEAD and person.team_id is not None:
        mine |= Q(team_id=person.team_id)
    return CheckIn.objects.filter(mine)


def mood_teams(user: object) -> QuerySet[Team]:
    """The teams whose check-ins `user` may see: a team lead their own team (one by one), the managers,
    administrators and the auditor every team (as aggregates only); nobody else any."""
    person = _as_user(user)
    if person is None or not can(person, Action.VIEW_TEAM_MOODS):
        return Team.objects.none()
    if person.role == Role.TEAM_LEAD and not person.is_superuser:
        return Team.objects.filter(pk=person.team_id) if person.team_id else Team.objects.none()
    return Team.objects.all()


# -- coaching ----------------------------------------------------------------------------------------


def coached_agents(user: User) -> QuerySet[User]:
    """The agents whose coaching (notes, goals, quality trend) `user` may see: an agent themselves, a team lead
    their own team's agents, managers and administrators every agent; the auditor none (personnel data)."""
    agents = User.objects.filter(role=Role.AGENT, is_active=True)
    if not user.is_authenticated or not user.is_active or user.role == Role.VIEWER:
        return agents.none()
    if user.role in (Role.MANAGER, Role.ADMIN) or user.is_superuser:
        return agents
    if user.role == Role.TEAM_LEAD:
        return agents.filter(team_id=user.team_id) if user.team_id else agents.none()
    return agents.filter(pk=user.pk)
