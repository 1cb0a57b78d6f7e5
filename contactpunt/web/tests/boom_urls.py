"""The product's URLs and one that fails, for the 500 page's test."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from contactpunt.config.urls import handler403, urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


urlpatterns = [path("boom/", boom), *urlpatterns]  # type: ignore[list-item]
__all__ = ["handler403", "urlpatterns"]
