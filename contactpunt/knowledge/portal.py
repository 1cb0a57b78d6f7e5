"""The public self-service portal (no login): categories, search, article pages with "did this help?", related
articles and the contact form after the articles, with the articles read attached to the contact.

Reading works without JavaScript (plain links and GET forms); the suggestions under the contact form's subject
are an htmx partial when JavaScript is there.

Every page also exists under /help/p/<key>/: the portal view of one account group (`GroupPortal`), which shows the
public articles plus that group's own under the group's name; a contact sent there carries the account group.
An unknown, renewed or closed key is a 404, the same as a page that does not exist.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contactpunt.channels.webform.forms import WebForm, new_key
from contactpunt.channels.webform.services import (
    SOURCE,
    is_accepted,
    read_reference,
    sent_reference,
    submit_written,
    webform_queue,
)
from contactpunt.knowledge import usage
from contactpunt.knowledge.group_portals import portal_for_key, portal_reverse
from contactpunt.knowledge.models import Article, ArticleStatus, Audience, Category, GroupPortal
from contactpunt.knowledge.queries import translations_of
from contactpunt.knowledge.search import Hit, Scope, search

RESULTS = 10
RELATED = 3
SUGGESTED = 3


def _group(portal_key: str) -> GroupPortal | None:
    """The account group's portal view for `portal_key` ("" : the public portal); Http404 for a bad key."""
    if not portal_key:
        return None
    group = portal_for_key(portal_key)
    if group is None:
        raise Http404("no such portal")
    return group


def _name(group: GroupPortal | None) -> str:
    """The account group of the portal view ("" for the public portal): usage is counted per portal."""
    return group.account_group if group is not None else ""


def _scope(group: GroupPortal | None = None, language: str | None = "") -> Scope:
    """The articles the portal shows, in `language` ("" : the visitor's language; None: any), with the account
    group's own in its portal view."""
    if language == "":
        language = (translation.get_language() or "nl")[:2]
        language = language if language in ("nl", "en") else "nl"
    return Scope(language=language, account_group=group.account_group if group is not None else "")


def public_articles(group: GroupPortal | None = None) -> QuerySet[Article]:
    """The published articles for everyone, and in an account group's portal view also the group's own."""
    if group is None:
        return Article.objects.filter(status=ArticleStatus.PUBLISHED, audience=Audience.PUBLIC)
    return Article.objects.filter(_scope(group, language=None).condition())


class VoteForm(forms.Form):
    helpful = forms.TypedChoiceField(
        label=gettext_lazy("Did this help?"),
        choices=[("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    missing = forms.CharField(
        label=gettext_lazy("What was missing? (optional)"),
        required=False,
        max_length=usage.MAX_MISSING,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@require_GET
def home(request: HttpRequest, portal_key: str = "") -> HttpResponse:
    """Categories and, with ?q=, the search results (each search counted, with or without results)."""
    group = _group(portal_key)
    query = request.GET.get("q", "").strip()[:300]
    hits: list[Hit] = []
    if query:
        # The visitor's language first; an organisation that writes in one language only still answers everyone.
        hits = (
            search(query, scope=_scope(group), limit=RESULTS).hits
            or search(query, scope=_scope(group, language=None), limit=RESULTS).hits
        )
        usage.record_search(session=request.session, query=query, results=len(hits), account_group=_name(group))
    categories = Category.objects.filter(articles__in=public_articles(group)).distinct()
    context = {"query": query, "hits": hits, "categories": categories, "group": group}
    return render(request, "knowledge/portal/home.html", context)


@require_GET
def category(request: HttpRequest, slug: str, portal_key: str = "") -> HttpResponse:
    group = _group(portal_key)
    chosen = get_object_or_404(Category, slug=slug[:80])
    articles = public_articles(group).filter(category=chosen).order_by("title")
    return render(request, "knowledge/portal/category.html", {"category": chosen, "articles": articles, "group": group})


def _public_article(article_id: str, group: GroupPortal | None = None) -> Article:
    if not article_id.isdigit() or len(article_id) > 18:
        raise Http404("no such article")
    article = public_articles(group).select_related("category").filter(pk=int(article_id)).first()
    if article is None:
        raise Http404("no such article")
    return article


def related_to(article: Article, scope: Scope, limit: int = RELATED) -> list[Hit]:
    """The articles that rank best for this article's title, itself left out."""
    hits = search(article.title, scope=scope, limit=limit + 1).hits
    return [hit for hit in hits if hit.article_id != article.pk][:limit]


@require_GET
def article_page(request: HttpRequest, article_id: str, portal_key: str = "") -> HttpResponse:
    group = _group(portal_key)
    article = _public_article(article_id, group)
    usage.record_view(session=request.session, article=article, account_group=_name(group))
    related = related_to(article, _scope(group, language=article.language))
    context = {
        "article": article,
        "related": related,
        "form": VoteForm(),
        "group": group,
        "translations": translations_of(article, public_articles(group)),
    }
    return render(request, "knowledge/portal/article.html", context)


@require_POST
def vote(request: HttpRequest, article_id: str, portal_key: str = "") -> HttpResponse:
    group = _group(portal_key)
    article = _public_article(article_id, group)
    form = VoteForm(request.POST)
    if not form.is_valid():
        related = related_to(article, _scope(group, language=article.language))
        context = {"article": article, "related": related, "form": form, "group": group}
        return render(request, "knowledge/portal/article.html", context, status=400)
    usage.record_vote(
        session=request.session,
        article=article,
        helpful=form.cleaned_data["helpful"],
        missing=form.cleaned_data["missing"],
        account_group=_name(group),
    )
    messages.success(request, _("Thank you for your answer."))
    return HttpResponseRedirect(portal_reverse("article", group, article.pk) + "#vote", status=303)


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, portal_key: str = "") -> HttpResponse:
    """The web form after the articles: the contact is received through the web-form channel and the articles
    the visitor read are attached to it (with the account group, from a group's portal view)."""
    group = _group(portal_key)
    status = 200
    if request.method == "POST":
        form = WebForm(request.POST)
        if form.is_valid() and not form.is_spam:
            received = submit_written(
                written=form.written(language=translation.get_language() or ""),
                queue=webform_queue(form.cleaned_data["queue"] or ""),
                source=SOURCE,
                at=timezone.now(),
            )
            if is_accepted(received) and received.contact_id is not None and received.case_id is not None:
                usage.link_contact(
                    session=request.session,
                    contact_id=received.contact_id,
                    account_group=_name(group),
                )
                reference = sent_reference(received.case_id)
                return HttpResponseRedirect(f"{portal_reverse('contact-sent', group)}?ref={reference}", status=303)
            form.add_error(None, _("Your message could not be taken now. Your text is kept: try again later."))
            status = 503
        elif form.is_valid():
            return HttpResponseRedirect(portal_reverse("contact-sent", group), status=303)
        else:
            status = 400
    else:
        form = WebForm(initial={"key": new_key(), "subject": request.GET.get("q", "")[:200]})
    read = list(public_articles(group).filter(pk__in=usage.read_articles(request.session)))
    context = {"form": form, "read": read, "group": group}
    return render(request, "knowledge/portal/contact.html", context, status=status)


@require_GET
def contact_sent(request: HttpRequest, portal_key: str = "") -> HttpResponse:
    token = read_reference(request.GET.get("ref", ""))
    return render(request, "knowledge/portal/sent.html", {"group": _group(portal_key), "token": token})


@require_GET
def suggest(request: HttpRequest, portal_key: str = "") -> HttpResponse:
    """Articles for what the visitor is typing in the contact form (htmx partial); none for the hold-out."""
    group = _group(portal_key)
    query = request.GET.get("subject", "").strip()[:300] or request.GET.get("q", "").strip()[:300]
    visitor = usage.visitor_of(request.session)
    hits: list[Hit] = []
    if len(query) >= 3:
        # The hold-out is recorded too (with nothing shown): its contact rate is the comparison.
        if not usage.is_held_out(visitor):
            hits = search(query, scope=_scope(group), limit=SUGGESTED).hits
        usage.record_suggestions(
            session=request.session, query=query, shown=[hit.article_id for hit in hits], account_group=_name(group)
        )
    return render(request, "knowledge/portal/_suggestions.html", {"hits": hits, "group": group})


@require_GET
def brand_css(request: HttpRequest) -> HttpResponse:
    """The organisation's colour (settings.PORTAL_COLOUR) for the help pages, as a style sheet (the pages allow no
    inline style); empty when none is set."""
    colour = getattr(settings, "PORTAL_COLOUR", "")
    css = ""
    if colour:
        names = ("primary", "primary-background", "primary-border", "primary-hover", "primary-hover-background")
        rules = " ".join(f"--pico-{name}: {colour};" for name in names)
        css = f"html:root[data-theme] {{ {rules} --pico-primary-underline: {colour}80; --cp-accent: {colour}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
