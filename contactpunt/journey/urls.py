"""The loyalty pages under /journey/."""

from django.urls import path

from contactpunt.journey import views

app_name = "journey"

urlpatterns = [
    path("", views.index, name="index"),
    path("segments/<int:rule_id>/", views.edit_rule, name="edit_rule"),
    path("moments/<int:task_id>/", views.close_moment, name="close_moment"),
    path("customers/<int:customer_id>/consent/", views.record_customer_consent, name="record_consent"),
]
