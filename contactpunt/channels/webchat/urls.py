"""URLs of the webchat channel (the websocket is in contactpunt.web.routing)."""

from django.urls import URLPattern, URLResolver, path

from contactpunt.channels.webchat import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("widget.js", views.widget_js, name="chat-widget"),
]
