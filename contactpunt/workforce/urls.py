"""The workforce pages under /workforce/."""

from django.urls import path

from contactpunt.workforce import meeting_views, skills_views, views

app_name = "workforce"

urlpatterns = [
    path("", views.index, name="index"),
    path("peaks/", views.peak_calendar, name="peaks"),
    path("shifts/", views.shifts, name="shifts"),
    path("shifts/run/", views.run_plan, name="run_plan"),
    path("shifts/plans/<int:pk>/", views.plan_status, name="plan_status"),
    path("adherence/", views.adherence, name="adherence"),
    path("me/", views.me, name="me"),
    path("meetings/", meeting_views.meeting_week, name="meetings"),
    path("skills/", skills_views.matrix, name="skills"),
    path("meetings/<int:meeting_id>/", meeting_views.meeting, name="meeting"),
]
