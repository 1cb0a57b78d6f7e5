"""The product's URLs and some that fail, for the 500 and 503 pages' tests."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path
from psycopg_pool import PoolTimeout

from contactpunt.config.urls import handler403, handler500, urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


def busy(request: HttpRequest) -> HttpResponse:
    """What Django raises when every pooled connection stays in use past DB_POOL_TIMEOUT."""
    raise OperationalError("couldn't get a connection after 10.00 sec") from PoolTimeout("timeout")


def gone(request: HttpRequest) -> HttpResponse:
    """What Django raises when PostgreSQL went away under an open connection."""
    raise OperationalError("the connection is closed")


urlpatterns = [path("boom/", boom), path("busy/", busy), path("gone/", gone), *urlpatterns]  # type: ignore[list-item]
__all__ = ["handler403", "handler500", "urlpatterns"]
