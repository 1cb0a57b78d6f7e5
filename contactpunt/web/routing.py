"""Websocket routes for the live views."""

from django.urls import URLPattern, path

from contactpunt.web.workspace.consumers import WorkspaceConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/workspace/", WorkspaceConsumer.as_asgi()),
]
