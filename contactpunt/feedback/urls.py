"""The feedback pages under /feedback/: the public survey (no login) and the pages for team leads and managers."""

from django.urls import path

from contactpunt.feedback import views_public

app_name = "feedback"

urlpatterns = [
    path("s/<str:token>/", views_public.survey, name="survey"),
    path("s/<str:token>/stop/", views_public.stop, name="survey_stop"),
]
