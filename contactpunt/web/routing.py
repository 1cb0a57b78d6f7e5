"""Websocket routes for the live views."""

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
