"""The channel endpoints: webhooks, the web chat widget and the web form."""

from django.urls import URLPattern, URLResolver

app_name = "channels"

urlpatterns: list[URLPattern | URLResolver] = []
