"""The quality pages under /quality/."""

from django.urls import path

from contactpunt.quality import coaching_views, suggestion_views, views

app_name = "quality"

urlpatterns = [
    path("", views.index, name="index"),
    path("sample/", views.draw, name="draw"),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("reviews/<int:review_id>/", views.review, name="review"),
    path("calibration/", views.start_round, name="start_round"),
    path("calibration/<int:round_id>/", views.calibration, name="calibration"),
    path("mine/", views.mine, name="mine"),
    path("coaching/", coaching_views.agents, name="coaching"),
    path("suggestions/", suggestion_views.index, name="suggestions"),
    path("suggestions/<int:suggestion_id>/", suggestion_views.detail, name="suggestion"),
    path("coaching/<int:agent_id>/", coaching_views.agent, name="coach"),
]
