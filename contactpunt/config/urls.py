"""The URL map: the web UI, the admin and the REST API."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("contactpunt.api.urls")),
    path("kpis/", include("contactpunt.kpis.urls")),
    path("", include("contactpunt.web.urls")),
]
