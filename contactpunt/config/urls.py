"""The URL map: the web UI, the admin and the REST API."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = "Contactpunt"
admin.site.site_title = _("Contactpunt administration")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("contactpunt.api.urls")),
    path("kpis/", include("contactpunt.kpis.urls")),
    path("workforce/", include("contactpunt.workforce.urls")),
    path("insights/", include("contactpunt.insights.urls")),
    path("quality/", include("contactpunt.quality.urls")),
    path("journey/", include("contactpunt.journey.urls")),
    path("channels/", include("contactpunt.channels.urls")),
    path("feedback/", include("contactpunt.feedback.urls")),
    path("", include("contactpunt.knowledge.urls")),
    path("", include("contactpunt.web.urls")),
]

handler403 = "contactpunt.web.errors.permission_denied"
handler500 = "contactpunt.web.errors.server_error"
