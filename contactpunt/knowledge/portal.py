"""The public self-service portal (no login): categories, search, article pages with "did this help?", related
articles and the contact form after the articles, with the articles read attached to the contact.

Reading works without JavaScript (plain links and GET forms); the suggestions under the contact form's subject
are an htmx partial when JavaScript is there.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contactpunt.channels.webform.forms import WebForm, new_key
from contactpunt.channels.webform.services import SOURCE, is_accepted, submit_written, webform_queue
from contactpunt.knowledge import usage
from contactpunt.knowledge.models import Article, ArticleStatus, Audience, Category
from contactpunt.knowledge.search import Hit, Scope, search

PUBLIC = Scope(language=None)
RESULTS = 10
RELATED = 3
SUGGESTED = 3


def _scope() -> Scope:
    """The public articles in the visitor's language."""
    language = (translation.get_language() or "nl")[:2]
    return Scope(language=language if language in ("nl", "en") else "nl")


def public_articles() -> QuerySet[Article]:
    return Article.objects.filter(status=ArticleStatus.PUBLISHED, audience=Audience.PUBLIC)


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
def home(request: HttpRequest) -> HttpResponse:
    """Categories and, with ?q=, the search results (each search counted, with or without results)."""
    query = request.GET.get("q", "").strip()[:300]
    hits: list[Hit] = []
    if query:
        # The visitor's language first; an organisation that writes in one language only still answers everyone.
        hits = (
            search(query, scope=_scope(), limit=RESULTS).hits
            or search(query, scope=Scope(language=None), limit=RESULTS).hits
        )
        usage.record_search(session=request.session, query=query, results=len(hits))
    categories = Category.objects.filter(articles__in=public_articles()).distinct()
    return render(request, "knowledge/portal/home.html", {"query": query, "hits": hits, "categories": categories})


@require_GET
def category(request: HttpRequest, slug: str) -> HttpResponse:
    chosen = get_object_or_404(Category, slug=slug[:80])
    articles = public_articles().filter(category=chosen).order_by("title")
    return render(request, "knowledge/portal/category.html", {"category": chosen, "articles": articles})


def _public_article(article_id: str) -> Article:
    if not article_id.isdigit() or len(article_id) > 18:
        raise Http404("no such article")
    article = public_articles().select_related("category").filter(pk=int(article_id)).first()
    if article is None:
        raise Http404("no such article")
    return article


def related_to(article: Article, scope: Scope, limit: int = RELATED) -> list[Hit]:
    """The articles that rank best for this article's title, itself left out."""
    hits = search(article.title, scope=scope, limit=limit + 1).hits
    return [hit for hit in hits if hit.article_id != article.pk][:limit]


@require_GET
def article_page(request: HttpRequest, article_id: str) -> HttpResponse:
    article = _public_article(article_id)
    usage.record_view(session=request.session, article=article)
    return render(
        request,
        "knowledge/portal/article.html",
        {"article": article, "related": related_to(article, Scope(language=article.language)), "form": VoteForm()},
    )


@require_POST
def vote(request: HttpRequest, article_id: str) -> HttpResponse:
    article = _public_article(article_id)
    form = VoteForm(request.POST)
    if not form.is_valid():
        related = related_to(article, Scope(language=article.language))
        context = {"article": article, "related": related, "form": form}
        return render(request, "knowledge/portal/article.html", context, status=400)
    usage.record_vote(
        session=request.session,
        article=article,
        helpful=form.cleaned_data["helpful"],
        missing=form.cleaned_data["missing"],
    )
    messages.success(request, _("Thank you for your answer."))
    return HttpResponseRedirect(reverse("knowledge:article", args=[article.pk]) + "#vote", status=303)


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    """The web form after the articles: the contact is received through the web-form channel and the articles
    the visitor read are attached to it."""
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
            if is_accepted(received) and received.contact_id is not None:
                usage.link_contact(session=request.session, contact_id=received.contact_id)
                return HttpResponseRedirect(reverse("knowledge:contact-sent"), status=303)
            form.add_error(None, _("Your message could not be taken now. Your text is kept: try again later."))
            status = 503
        elif form.is_valid():
            return HttpResponseRedirect(reverse("knowledge:contact-sent"), status=303)
        else:
            status = 400
    else:
        form = WebForm(initial={"key": new_key(), "subject": request.GET.get("q", "")[:200]})
    read = list(public_articles().filter(pk__in=usage.read_articles(request.session)))
    return render(request, "knowledge/portal/contact.html", {"form": form, "read": read}, status=status)


@require_GET
def contact_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "knowledge/portal/sent.html")


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """Articles for what the visitor is typing in the contact form (htmx partial); none for the hold-out."""
    query = request.GET.get("subject", "").strip()[:300] or request.GET.get("q", "").strip()[:300]
    visitor = usage.visitor_of(request.session)
    hits: list[Hit] = []
    if len(query) >= 3:
        # The hold-out is recorded too (with nothing shown): its contact rate is the comparison.
        if not usage.is_held_out(visitor):
            hits = search(query, scope=_scope(), limit=SUGGESTED).hits
        usage.record_suggestions(session=request.session, query=query, shown=len(hits))
    return render(request, "knowledge/portal/_suggestions.html", {"hits": hits})
