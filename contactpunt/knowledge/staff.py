"""The staff's knowledge pages: the article list (search, overdue reviews), an article with its versions and
diffs, writing and reviewing articles (team lead and up), templates to review, "what changed this week" with
who read it, and the self-service figures. Thin views over queries, services and stats."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contactpunt.access import Action, can, get_case_for_user, require
from contactpunt.channels.webchat.services import SOURCE as WIDGET_SOURCE
from contactpunt.contacts.models import Direction, Message, ResponseTemplate
from contactpunt.knowledge import coverage, group_portals, quotes, services, stats, todo
from contactpunt.knowledge.forms import ArticleForm, GroupPortalForm, ReviewedForm
from contactpunt.knowledge.models import (
    TRANSITIONS,
    Article,
    ArticleStatus,
    ArticleVersion,
    Audience,
    ChangesRead,
    GroupPortal,
    PortalContact,
    QuoteSent,
    TaskKind,
    TemplateQuote,
)
from contactpunt.knowledge.queries import get_article_for_user, sees_every_status, translations_of, visible_articles
from contactpunt.knowledge.search import Scope, search
from contactpunt.people.models import User

WEEK = dt.timedelta(days=7)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _today() -> dt.date:
    return timezone.localdate()


@require(Action.READ_ARTICLES)
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    query = request.GET.get("q", "").strip()[:300]
    if query:
        hits = search(query, scope=Scope(language=None, internal=True), limit=25).hits
        found = {a.pk: a for a in visible_articles(user).filter(pk__in=[h.article_id for h in hits])}
        articles = [found[h.article_id] for h in hits if h.article_id in found]
    else:
        articles = list(visible_articles(user).order_by("status", "title")[:200])
    context = {
        "articles": articles,
        "query": query,
        "today": _today(),
        "may_manage": can(user, Action.MANAGE_ARTICLES),
        "uncovered": coverage.uncovered_growing(_today()) if can(user, Action.MANAGE_ARTICLES) else [],
        "blocked": len(quotes.flagged_quotes()),
        "every_status": sees_every_status(user),
        "my_overdue": list(
            Article.objects.filter(owner=user, status=ArticleStatus.PUBLISHED, review_by__lt=_today()).order_by(
                "review_by"
            )
        ),
    }
    return render(request, "knowledge/staff/list.html", context)


@require(Action.READ_ARTICLES)
@require_GET
def article_detail(request: HttpRequest, article_id: str) -> HttpResponse:
    user = _user(request)
    article = get_article_for_user(user, article_id)
    versions = list(ArticleVersion.objects.filter(article=article).select_related("changed_by").order_by("-number"))
    diffs = {v.number: services.version_diff(article, v.number) for v in versions[:10]}
    context = {
        "article": article,
        "versions": [(v, diffs.get(v.number, [])) for v in versions],
        "quotes": TemplateQuote.objects.filter(article=article).select_related("template"),
        "sent": list(
            QuoteSent.objects.filter(article=article)
            .values("version")
            .annotate(replies=Count("pk"))
            .order_by("-version")
        ),
        "may_manage": can(user, Action.MANAGE_ARTICLES),
        "next_steps": sorted(TRANSITIONS[article.status]),
        "overdue": article.is_overdue(_today()),
        "next_review": _today() + services.REVIEW_INTERVAL,
        "statuses": dict(ArticleStatus.choices),
        "reasons": list(article.reasons.order_by("name")),
        "translations": translations_of(article, visible_articles(user)),
        "may_quote": can(user, Action.MANAGE_TEMPLATES) and article.status == ArticleStatus.PUBLISHED,
        "quotable": ResponseTemplate.objects.filter(is_active=True)
        .exclude(pk__in=TemplateQuote.objects.filter(article=article).values("template_id"))
        .order_by("name", "pk"),
    }
    return render(request, "knowledge/staff/article.html", context)


@require(Action.MANAGE_ARTICLES)
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    """A new article; ?reason=<id> (from the to-do) names that contact reason among those it answers."""
    reason = request.GET.get("reason", "")
    initial = {"reasons": [int(reason)]} if reason.isdigit() and len(reason) < 18 else None
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.create_article(by=_user(request), values=form.values())
            services.set_reasons(by=_user(request), article=article, reasons=form.cleaned_data["reasons"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Article saved as a draft."))
            return HttpResponseRedirect(reverse("knowledge:staff-article", args=[article.pk]), status=303)
    status = 400 if request.method == "POST" else 200
    return render(request, "knowledge/staff/form.html", {"form": form, "article": None}, status=status)


@require(Action.MANAGE_ARTICLES)
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, article_id: str) -> HttpResponse:
    user = _user(request)
    article = get_article_for_user(user, article_id, write=True)
    form = ArticleForm(request.POST) if request.method == "POST" else ArticleForm.of(article)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_article(by=user, article=article, values=form.values(), note=form.cleaned_data["note"])
            services.set_reasons(by=user, article=article, reasons=form.cleaned_data["reasons"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Article saved."))
            return HttpResponseRedirect(reverse("knowledge:staff-article", args=[article.pk]), status=303)
    status = 400 if request.method == "POST" else 200
    return render(request, "knowledge/staff/form.html", {"form": form, "article": article}, status=status)


@require_POST
@require(Action.MANAGE_ARTICLES)
def article_status(request: HttpRequest, article_id: str) -> HttpResponse:
    user = _user(request)
    article = get_article_for_user(user, article_id, write=True)
    wanted = request.POST.get("status", "")
    if wanted not in ArticleStatus.values:
        messages.error(request, _("Not done: %(error)s") % {"error": _("choose a status")})
    else:
        try:
            services.set_status(by=user, article=article, status=wanted)
            messages.success(request, _("Status changed to %(status)s.") % {"status": ArticleStatus(wanted).label})
        except services.ArticleError as error:
            messages.error(request, _("Not done: %(error)s") % {"error": error})
    return HttpResponseRedirect(reverse("knowledge:staff-article", args=[article.pk]), status=303)


@require(Action.MANAGE_ARTICLES)
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The knowledge owner's to-do: their articles due for review (each with "reviewed", setting the next date)
    and the growing contact reasons no article answers (to name in the article found, or to write one for)."""
    user = _user(request)
    today = _today()
    tasks = list(
        todo.open_tasks(user, today)
        .select_related("article", "reason")
        .order_by("kind", "article__review_by", "-count", "pk")
    )
    context = {
        "reviews": [task for task in tasks if task.kind == TaskKind.REVIEW],
        "reasons": [task for task in tasks if task.kind == TaskKind.REASON],
        "form": ReviewedForm(initial={"review_by": today + services.REVIEW_INTERVAL}),
    }
    return render(request, "knowledge/staff/todo.html", context)


@require_POST
@require(Action.MANAGE_ARTICLES)
def article_reviewed(request: HttpRequest, article_id: str) -> HttpResponse:
    """The article was reviewed: set its next review date (it leaves the owner's to-do)."""
    user = _user(request)
    article = get_article_for_user(user, article_id, write=True)
    form = ReviewedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not done: %(error)s") % {"error": _("choose a next review date in the future")})
    else:
        try:
            services.mark_reviewed(by=user, article=article, next_review=form.cleaned_data["review_by"], today=_today())
            messages.success(
                request, _("Reviewed. Next review on %(date)s.") % {"date": form.cleaned_data["review_by"]}
            )
        except ValidationError:
            messages.error(request, _("Not done: %(error)s") % {"error": _("choose a next review date in the future")})
    target = request.POST.get("next", "")
    url = reverse("knowledge:todo") if target == "todo" else reverse("knowledge:staff-article", args=[article.pk])
    return HttpResponseRedirect(url, status=303)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@require(Action.READ_ARTICLES)
@require_GET
def changes(request: HttpRequest) -> HttpResponse:
    """What changed in our service this week: articles changed and retired, templates changed and retired, the
    templates blocked until reviewed (with the article's new text), and who has read this page's week."""
    user = _user(request)
    week = _monday(_today())
    since = timezone.make_aware(dt.datetime.combine(week, dt.time()))
    changed = (
        visible_articles(user)
        .filter(updated_at__gte=since)
        .exclude(status__in=[ArticleStatus.DRAFT, ArticleStatus.REVIEW])
        .order_by("-updated_at")
    )
    templates = ResponseTemplate.objects.filter(updated_at__gte=since).order_by("-updated_at")
    readers = ChangesRead.objects.filter(week=week).select_related("user").order_by("read_at")
    context = {
        "week": week,
        "articles": changed,
        "templates": templates,
        "blocked": quotes.flagged_quotes(),
        "has_read": readers.filter(user=user).exists(),
        "readers": readers if can(user, Action.VIEW_DASHBOARDS) else None,
        "may_review": can(user, Action.MANAGE_TEMPLATES),
    }
    return render(request, "knowledge/staff/changes.html", context)


@require_POST
@require(Action.READ_ARTICLES)
def changes_read(request: HttpRequest) -> HttpResponse:
    ChangesRead.objects.get_or_create(user=_user(request), week=_monday(_today()))
    return HttpResponseRedirect(reverse("knowledge:changes"), status=303)


@require_POST
@require(Action.MANAGE_TEMPLATES)
def article_quote(request: HttpRequest, article_id: str) -> HttpResponse:
    """Bind a response template (a reply or a letter) to the article's current version: when the article changes
    or is retired, the template is blocked from sending until someone reviews it."""
    user = _user(request)
    article = get_article_for_user(user, article_id)
    chosen = request.POST.get("template", "")
    template = ResponseTemplate.objects.filter(pk=int(chosen), is_active=True).first() if chosen.isdigit() else None
    if template is None or len(chosen) > 18:
        messages.error(request, _("Not done: %(error)s") % {"error": _("choose a template")})
    else:
        try:
            quotes.quote_article(by=user, template=template, article=article)
            messages.success(request, _("The template “%(name)s” now quotes this article.") % {"name": template.name})
        except quotes.QuoteError:
            messages.error(request, _("Not done: %(error)s") % {"error": _("only a published article can be quoted")})
    return HttpResponseRedirect(reverse("knowledge:staff-article", args=[article.pk]), status=303)


@require_POST
@require(Action.MANAGE_TEMPLATES)
def quote_review(request: HttpRequest, quote_id: int) -> HttpResponse:
    quote = get_object_or_404(TemplateQuote, pk=quote_id)
    try:
        if request.POST.get("remove"):
            quotes.remove_quote(by=_user(request), quote=quote)
        else:
            quotes.review_quote(by=_user(request), quote=quote)
        messages.success(request, _("Template reviewed: it may be sent again."))
    except quotes.QuoteError as error:
        messages.error(request, _("Not done: %(error)s") % {"error": error})
    return HttpResponseRedirect(reverse("knowledge:changes"), status=303)


#: The usage page's choice for the public portal (an account group is chosen by its name).
PUBLIC_PORTAL = "*public"


@require(Action.VIEW_DASHBOARDS)
@require_GET
def usage_page(request: HttpRequest) -> HttpResponse:
    """The self-service figures of the last 28 days: of every portal together with a row per portal, or of the one
    portal chosen with ?portal= (the public one, or an account group's view)."""
    end = timezone.now()
    start = end - dt.timedelta(days=28)
    groups = list(GroupPortal.objects.order_by("name", "pk"))
    chosen = request.GET.get("portal", "")[:80]
    names = {group.account_group: group for group in groups}
    if chosen == PUBLIC_PORTAL:
        account_group: str | None = ""
    elif chosen in names:
        account_group = chosen
    else:
        chosen, account_group = "", None
    context = {
        "usage": stats.usage(start=start, end=end, account_group=account_group),
        "portals": stats.per_portal(start=start, end=end, top=0) if account_group is None else [],
        "groups": groups,
        "chosen": chosen,
        "chosen_group": names.get(chosen),
        "public_portal": PUBLIC_PORTAL,
    }
    return render(request, "knowledge/staff/usage.html", context)


@require(Action.READ_ARTICLES)
@require_GET
def case_suggestions(request: HttpRequest, case_id: str) -> HttpResponse:
    """The articles that fit the case (its subject and the customer's latest written message), internal ones
    included, with the articles the customer read on the portal before they wrote and those the chat widget
    suggested to them before they chatted or left a message (htmx partial)."""
    user = _user(request)
    case = get_case_for_user(user, case_id)
    latest = Message.objects.filter(case=case, direction=Direction.INBOUND).order_by("-created_at", "-id").first()
    text = f"{case.subject} {latest.text[:500] if latest is not None else ''}"
    hits = search(text, scope=Scope(language=None, internal=True), limit=5).hits
    attached = PortalContact.articles.through.objects.filter(portalcontact__contact__case=case)
    from_widget = Q(portalcontact__contact__source=WIDGET_SOURCE)
    read = Article.objects.filter(pk__in=attached.exclude(from_widget).values("article_id"))
    offered = Article.objects.filter(pk__in=attached.filter(from_widget).values("article_id"))
    found = {a.pk: a for a in visible_articles(user).filter(pk__in=[h.article_id for h in hits])}
    articles = [found[h.article_id] for h in hits if h.article_id in found]
    groups = set(
        PortalContact.objects.filter(contact__case=case)
        .exclude(account_group="")
        .values_list("account_group", flat=True)
    )
    names = dict(GroupPortal.objects.filter(account_group__in=groups).values_list("account_group", "name"))
    portals = sorted(names.get(group, group) for group in groups)
    context = {"articles": articles, "read": read, "offered": offered, "portals": portals, "today": _today()}
    return render(request, "knowledge/staff/_case_suggestions.html", context)


@require(Action.MANAGE_ARTICLES)
@require_http_methods(["GET", "POST"])
def group_portal_list(request: HttpRequest) -> HttpResponse:
    """The account groups' portal views with their links, and opening a new one (team lead and up: the links
    hold the keys)."""
    form = GroupPortalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group_portals.open_group_portal(
                by=_user(request), account_group=form.cleaned_data["account_group"], name=form.cleaned_data["name"]
            )
        except ValidationError:
            form.add_error("account_group", _("This account group already has a portal view."))
        else:
            messages.success(request, _("Portal view opened. Give its link to the account group."))
            return HttpResponseRedirect(reverse("knowledge:group-portals"), status=303)
    own = dict(
        Article.objects.filter(status=ArticleStatus.PUBLISHED, audience=Audience.ACCOUNT_GROUP)
        .values("account_group")
        .annotate(n=Count("pk"))
        .values_list("account_group", "n")
    )
    rows = [
        (
            group,
            request.build_absolute_uri(reverse("knowledge:group-portal", args=[group.key])),
            own.get(group.account_group, 0),
        )
        for group in GroupPortal.objects.all()
    ]
    status = 400 if request.method == "POST" else 200
    return render(request, "knowledge/staff/portals.html", {"form": form, "rows": rows}, status=status)


@require_POST
@require(Action.MANAGE_ARTICLES)
def group_portal_change(request: HttpRequest, group_id: int) -> HttpResponse:
    """Renew a portal view's key (the old link stops working), close it or open it again."""
    group = get_object_or_404(GroupPortal, pk=group_id)
    step = request.POST.get("step", "")
    if step == "renew":
        group_portals.renew_key(by=_user(request), portal=group)
        messages.success(request, _("New link made: the old link no longer works."))
    elif step in ("close", "open"):
        group_portals.set_open(by=_user(request), portal=group, is_open=step == "open")
        messages.success(request, _("Portal view opened.") if step == "open" else _("Portal view closed."))
    else:
        messages.error(request, _("Not done: %(error)s") % {"error": _("choose a step")})
    return HttpResponseRedirect(reverse("knowledge:group-portals"), status=303)
