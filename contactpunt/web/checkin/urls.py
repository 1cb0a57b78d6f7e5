"""The weekly check-in's URLs, under /checkin/."""

from django.urls import path

from contactpunt.web.checkin import views

app_name = "checkin"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("team/", views.team, name="team"),
]
