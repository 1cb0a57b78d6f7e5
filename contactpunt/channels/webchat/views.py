"""The widget's script at a stable address: customers put one script tag on their site pointing here."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

WIDGET = Path(__file__).resolve().parent.parent / "static" / "channels" / "webchat" / "widget.js"


@cache
def _widget_source() -> bytes:
    return WIDGET.read_bytes()


@require_GET
def widget_js(request: HttpRequest) -> HttpResponse:
    """The chat widget (plain JavaScript, no dependencies), cacheable for five minutes by any site."""
    response = HttpResponse(_widget_source(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
