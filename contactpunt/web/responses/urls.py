"""The response-templates page's URLs, under /templates/."""

from django.urls import path

from contactpunt.web.responses import views

app_name = "responses"

urlpatterns = [
    path("", views.template_list, name="list"),
    path("new/", views.template_new, name="new"),
    path("preview/", views.preview, name="preview"),
    path("<int:template_id>/", views.template_edit, name="edit"),
    path("<int:template_id>/retire/", views.retire, name="retire"),
    path("<int:template_id>/restore/", views.restore, name="restore"),
]
