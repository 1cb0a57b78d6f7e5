"""The Meta webhook endpoint: the verify-token handshake (GET) and signed notifications (POST)."""

from __future__ import annotations

import hmac
import json
import logging

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from contactpunt.channels.meta.intake import (
    process_delivery,
    signature_is_valid,
    store_webhook,
    summary_for_log,
)
from contactpunt.channels.meta.models import MetaApp, WebhookState

logger = logging.getLogger(__name__)

MAX_BODY = 5 * 1024 * 1024


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest, app_id: str) -> HttpResponse:
    """GET answers Meta's subscription check with hub.challenge when hub.verify_token matches; POST takes a
    notification signed with the app secret (403 when the signature is missing or wrong, 400 when the body is
    not JSON; both logged, and a malformed body is kept)."""
    app = get_object_or_404(MetaApp, app_id=app_id, is_active=True)
    if request.method == "GET":
        return _verify(request, app)
    body = request.body
    if len(body) > MAX_BODY:
        logger.warning("Meta webhook for app %s: a body of %d bytes refused", app.app_id, len(body))
        return HttpResponse(status=413)
    if not signature_is_valid(app_secret=app.app_secret, body=body, header=request.headers.get("X-Hub-Signature-256")):
        logger.warning(
            "Meta webhook for app %s: %s X-Hub-Signature-256 from %s, %d bytes refused",
            app.app_id,
            "a wrong" if request.headers.get("X-Hub-Signature-256") else "no",
            request.META.get("REMOTE_ADDR", "?"),
            len(body),
        )
        return HttpResponseForbidden("bad signature")
    delivery = store_webhook(app=app, body=body)
    if delivery.state == WebhookState.REJECTED:
        logger.warning("Meta webhook %s for app %s rejected: %s", delivery.pk, app.app_id, delivery.error)
        return HttpResponseBadRequest("malformed JSON")
    logger.info("Meta webhook %s for app %s: %s", delivery.pk, app.app_id, summary_for_log(json.loads(body)))
    # The body is stored first, so a processing failure is retried by the worker, not by Meta.
    process_delivery(delivery)
    return HttpResponse("EVENT_RECEIVED")


def _verify(request: HttpRequest, app: MetaApp) -> HttpResponse:
    mode = request.GET.get("hub.mode", "")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    if mode == "subscribe" and app.verify_token and hmac.compare_digest(token, app.verify_token):
        return HttpResponse(challenge, content_type="text/plain")
    logger.warning("Meta webhook verification for app %s failed (mode %r)", app.app_id, mode)
    return HttpResponseForbidden("verification failed")
