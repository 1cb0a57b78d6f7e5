"""Websocket routes: the staff's live views, and the web chat that customers' sites open."""

from django.urls import URLPattern, path

from contactpunt.channels.webchat.consumers import ChatConsumer
from contactpunt.web.workspace.consumers import WorkspaceConsumer

#: Staff pages: only from the product's own hosts, with the logged-in user.
websocket_urlpatterns: list[URLPattern] = [
    path("ws/workspace/", WorkspaceConsumer.as_asgi()),
]

#: The chat widget runs on customers' sites: the consumer checks their origin against WEBCHAT_ALLOWED_ORIGINS itself.
public_websocket_urlpatterns: list[URLPattern] = [
    path("ws/chat/<slug:queue>/", ChatConsumer.as_asgi()),
]
