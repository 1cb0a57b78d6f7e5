"""The REST API's URLs."""

from django.urls import path

from contactpunt.api.api import api

urlpatterns = [path("", api.urls)]
