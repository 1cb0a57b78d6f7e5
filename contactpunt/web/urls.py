"""The web UI's pages."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from contactpunt.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("workspace/", include("contactpunt.web.workspace.urls")),
    path("templates/", include("contactpunt.web.responses.urls")),
    path("customer-data/", include("contactpunt.web.privacy.urls")),
    path("checkin/", include("contactpunt.web.checkin.urls")),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
