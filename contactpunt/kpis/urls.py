"""The KPI pages under /kpis/."""

from django.urls import path

from contactpunt.kpis import views

app_name = "kpis"

urlpatterns = [
    path("", views.index, name="index"),
    path("today/", views.today_view, name="today"),
    path("manager/", views.manager, name="manager"),
    path("spoc/", views.spoc, name="spoc"),
    path("webcare/", views.webcare, name="webcare"),
    path("drill/", views.drill_view, name="drill"),
    path("formula/<slug:key>/", views.formula, name="formula"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("wallboard/", views.wallboard_page, name="wallboard"),
    path("wallboard/live/", views.wallboard_partial, name="wallboard_live"),
]
