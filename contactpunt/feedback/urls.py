"""The feedback pages under /feedback/: the public survey (no login) and the pages for team leads and managers."""

from django.urls import path

from contactpunt.feedback import views, views_pdca, views_public

app_name = "feedback"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("analysis/<str:part>/", views.analysis, name="analysis"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("follow-ups/<str:follow_up_id>/", views.follow_up, name="follow_up"),
    path("promoters/<str:answer_id>/reply/", views.promoter_reply, name="promoter_reply"),
    path("compliments/", views.compliments, name="compliments"),
    path("pdca/", views_pdca.pdca, name="pdca"),
    path("pdca/pdf/", views_pdca.pdca_pdf, name="pdca_pdf"),
    path("s/<str:token>/", views_public.survey, name="survey"),
    path("s/<str:token>/stop/", views_public.stop, name="survey_stop"),
]
