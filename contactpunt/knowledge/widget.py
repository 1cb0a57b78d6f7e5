"""Self-service in the chat widget: the articles that fit what the visitor is typing, and the chat that follows.

The widget runs on the customer's own site, so it asks across origins (only from the sites allowed to open the
chat) and without cookies: it sends its own random visitor id, kept in the browser's storage, which the chat's
`hello` frame carries too. Suggestions are counted like the web form's (`usage.record_suggestions_for`), the
hold-out sees none, and a chat contact of that visitor counts as a contact after the suggestions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from contactpunt.channels.webchat.limits import is_allowed_origin
from contactpunt.channels.webchat.models import ChatConversation
from contactpunt.channels.webchat.services import SOURCE as WIDGET_SOURCE
from contactpunt.contacts.announcements import Message
from contactpunt.contacts.models import Contact, Direction
from contactpunt.id_filters import ids_in
from contactpunt.knowledge import usage
from contactpunt.knowledge.group_portals import portal_reverse
from contactpunt.knowledge.search import Scope, search

SUGGESTED = 3
MIN_QUERY = 3
_VISITOR = re.compile(r"^[0-9a-f]{32}$")


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """The public articles for `q` as JSON (`{"articles": [{"title", "url"}]}`), for the widget's `visitor`."""
    origin = request.headers.get("Origin", "")
    if origin and not is_allowed_origin(origin):
        return JsonResponse({"error": "origin_not_allowed"}, status=403)
    visitor = request.GET.get("visitor", "")
    query = request.GET.get("q", "").strip()[:300]
    articles: list[dict[str, str]] = []
    shown: list[int] = []
    if len(query) < MIN_QUERY:
        response = JsonResponse({"articles": articles})
    elif not _VISITOR.match(visitor):
        response = JsonResponse({"error": "bad_visitor", "articles": articles}, status=400)
    else:
        if not usage.is_held_out(visitor):
            language = "en" if request.GET.get("lang", "") == "en" else "nl"
            hits = search(query, scope=Scope(language=language), limit=SUGGESTED).hits
            shown = [hit.article_id for hit in hits]
            articles = [
                {"title": hit.title, "url": request.build_absolute_uri(portal_reverse("article", None, hit.article_id))}
                for hit in hits
            ]
        usage.record_suggestions_for(visitor=visitor, query=query, shown=shown)
        response = JsonResponse({"articles": articles})
    if origin:
        response["Access-Control-Allow-Origin"] = origin
    response["Vary"] = "Origin"
    response["Cache-Control"] = "no-store"
    return response


def link_chat_contacts(messages: Sequence[Message]) -> None:
    """For each new contact from the chat widget (a chat, or a message left in the chat when no agent could chat)
    whose conversation has the widget's visitor id, count the contact after that visitor's suggestions and attach
    the articles suggested (subscribed to CONTACT_RECEIVED, one query per batch when no widget contact is in it)."""
    ids = [message.ids["contact_id"] for message in messages if "contact_id" in message.ids]
    chats = dict(
        Contact.objects.filter(ids_in("pk", ids), source=WIDGET_SOURCE, direction=Direction.INBOUND)
        .values_list("pk", "case_id")
        .order_by("pk")
    )
    if not chats:
        return
    visitors = dict(
        ChatConversation.objects.filter(case_id__in=set(chats.values()))
        .exclude(visitor="")
        .values_list("case_id", "visitor")
    )
    for contact_id, case_id in chats.items():
        if case_id in visitors:
            usage.link_chat_contact(visitor=visitors[case_id], contact_id=contact_id)
