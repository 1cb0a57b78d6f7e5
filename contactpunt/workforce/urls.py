"""The workforce pages: forecast, staffing, peak calendar, shift plan and adherence."""

from django.urls import URLPattern, URLResolver

app_name = "workforce"

urlpatterns: list[URLPattern | URLResolver] = []
