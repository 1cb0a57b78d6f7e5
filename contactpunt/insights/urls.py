"""The insights pages under /insights/."""

from django.urls import path

from contactpunt.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.index, name="index"),
    path("detect/", views.detect, name="detect"),
    path("remarks/", views.remarks, name="remarks"),
    path("retrain/", views.retrain, name="retrain"),
]
