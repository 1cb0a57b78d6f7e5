"""URLs of the webform channel."""

from django.urls import URLPattern, URLResolver, path

from contactpunt.channels.webform import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.form_page, name="webform"),
    path("sent/", views.sent_page, name="webform-sent"),
    path("embed/", views.embedded_form, name="webform-embed"),
    path("embed/sent/", views.embedded_sent_page, name="webform-embed-sent"),
]
