"""URLs of the Meta channels (WhatsApp, Facebook, Instagram); mounted at /channels/meta/."""

from django.urls import URLPattern, URLResolver, path

from contactpunt.channels.meta import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("webhook/<str:app_id>/", views.webhook, name="meta-webhook"),
]
