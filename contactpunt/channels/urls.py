"""The channel endpoints: webhooks, the web chat widget and the web form."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "channels"

urlpatterns: list[URLPattern | URLResolver] = [
    path("chat/", include("contactpunt.channels.webchat.urls")),
    path("form/", include("contactpunt.channels.webform.urls")),
    path("meta/", include("contactpunt.channels.meta.urls")),
]
