"""The public portal (/help/) and the staff's knowledge pages (/knowledge/)."""

from django.urls import URLPattern, URLResolver, path

from contactpunt.knowledge import portal

app_name = "knowledge"

urlpatterns: list[URLPattern | URLResolver] = [
    path("help/", portal.home, name="portal"),
    path("help/c/<slug:slug>/", portal.category, name="category"),
    path("help/a/<str:article_id>/", portal.article_page, name="article"),
    path("help/a/<str:article_id>/vote/", portal.vote, name="vote"),
    path("help/contact/", portal.contact, name="contact"),
    path("help/contact/sent/", portal.contact_sent, name="contact-sent"),
    path("help/suggest/", portal.suggest, name="suggest"),
]
