"""Websocket routes for the live views."""

from django.urls import URLPattern, path

from contactpunt.channels.webchat.consumers import ChatConsumer
from contactpunt.web.workspace.consumers import WorkspaceConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/workspace/", WorkspaceConsumer.as_asgi()),
    path("ws/chat/<slug:queue>/", ChatConsumer.as_asgi()),
]
