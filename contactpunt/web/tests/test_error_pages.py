"""The error pages with DEBUG off: 403 says why (CSRF failures included), 404 and 500 offer a way back; in
Dutch and in English, with the navigation when someone is logged in. The 500 page needs no database."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.http import HttpResponse
from django.template import loader
from django.test import Client
from django.utils import translation
from psycopg_pool import PoolTimeout

from contactpunt.conftest import make_user
from contactpunt.people.models import Role


@pytest.fixture(autouse=True)
def _no_debug(settings: Any) -> None:
    settings.DEBUG = False


def _client(username: str, role: str, language: str = "", *, csrf: bool = False) -> Client:
    user = make_user(username, role)
    if language:
        user.language = language
        user.save(update_fields=["language"])
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def _text(response: HttpResponse) -> str:
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading", "reason", "back"),
    [
        ("nl", "Geen toegang", "Alleen teamleiders, managers en meekijkers kunnen dit zien.", "Naar het overzicht"),
        ("en", "No access", "Only team leads, managers and read-only viewers can see this.", "To the overview"),
    ],
)
def test_a_refused_page_says_why_with_the_navigation_and_a_way_back(language, heading, reason, back):
    response = _client("anna", Role.AGENT, language).get("/kpis/today/")

    assert response.status_code == 403
    page = _text(response)
    assert f'<h1 id="error-title">{heading}</h1>' in page
    assert reason in page
    assert f'href="/" role="button">{back}</a>' in page
    assert 'href="/workspace/"' in page and 'action="/logout/"' in page  # the product's navigation
    assert "403 Forbidden" not in page
    assert "onclick" not in page and "/static/web/errors.js" in page  # no inline script: the CSP forbids it


@pytest.mark.django_db
def test_a_refused_action_gives_the_views_reason_in_words_not_its_code():
    response = _client("otto", Role.VIEWER).post("/workspace/state/", {"state": "available"})

    assert response.status_code == 403
    assert "Met jouw rol kun je meekijken, maar niets wijzigen." in _text(response)
    assert "read-only" not in _text(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading", "advice"),
    [
        ("nl", "Het formulier is verlopen", "laad de pagina opnieuw"),
        ("en", "The form has expired", "reload the page"),
    ],
)
def test_a_form_without_its_security_token_gets_the_styled_page_that_says_what_to_do(language, heading, advice):
    response = _client("anna", Role.AGENT, language, csrf=True).post("/workspace/state/", {"state": "available"})

    assert response.status_code == 403
    page = _text(response)
    assert heading in page and advice in page
    assert 'action="/logout/"' in page
    assert "CSRF" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "heading"), [("nl", "Pagina niet gevonden"), ("en", "Page not found")])
def test_an_unknown_page_is_a_styled_404_with_the_navigation(language, heading):
    response = _client("anna", Role.AGENT, language).get("/bestaat-niet/")

    assert response.status_code == 404
    page = _text(response)
    assert heading in page and 'href="/workspace/"' in page and 'action="/logout/"' in page
    assert "Not Found" not in page


@pytest.mark.django_db
def test_a_404_for_someone_not_logged_in_offers_the_login_and_no_navigation():
    page = _text(Client().get("/workspace/cases/XX-1/niets/"))

    assert "Pagina niet gevonden" in page
    assert 'href="/login/" role="button">Inloggen</a>' in page
    assert 'href="/workspace/"' not in page


# No django_db mark: any query in these tests fails. The page must render with the database gone.
@pytest.mark.urls("contactpunt.web.tests.boom_urls")
def test_a_failing_view_gets_the_static_500_page_in_dutch():
    response = Client(raise_request_exception=False).get("/boom/")

    assert response.status_code == 500
    page = _text(response)
    assert "Er ging iets mis" in page and 'href="/" role="button">Naar het overzicht</a>' in page
    assert "RuntimeError" not in page and "a bug in a view" not in page


@pytest.mark.urls("contactpunt.web.tests.boom_urls")
@pytest.mark.parametrize(("path", "wait_s"), [("/busy/", "2"), ("/gone/", "5")])
def test_a_page_that_cannot_get_the_database_is_a_503_to_retry_not_a_500(path, wait_s):
    response = Client(raise_request_exception=False).get(path)

    assert response.status_code == 503
    assert response["Retry-After"] == wait_s  # a busy pool frees up sooner than a restarting database
    page = _text(response)
    assert "Even druk" in page and "Probeer het over een paar seconden opnieuw." in page
    assert "Er ging iets mis" not in page and "connection" not in page


@pytest.mark.django_db
def test_a_pool_timeout_before_the_view_runs_is_a_503_too(monkeypatch):
    """The session is read by the middleware, before any view: the pool can run dry there as well."""
    client = _client("anna", Role.AGENT)
    client.raise_request_exception = False

    def no_connection(self: object) -> None:
        raise OperationalError("couldn't get a connection after 10.00 sec") from PoolTimeout("timeout")

    monkeypatch.setattr(SessionStore, "load", no_connection)
    response = client.get("/workspace/")

    assert response.status_code == 503 and response["Retry-After"] == "2"


@pytest.mark.parametrize(
    ("language", "heading", "back"),
    [
        ("nl", "Er ging iets mis", "Terug naar de vorige pagina"),
        ("en", "Something went wrong", "Back to the previous page"),
    ],
)
def test_the_500_page_renders_without_request_context_or_database(language, heading, back):
    with translation.override(language):
        page = loader.render_to_string("500.html")  # as Django's server_error does: no request, no context

    assert f'<html lang="{language}"' in page
    assert heading in page and back in page and "/static/web/contactpunt.css" in page
    assert "onclick" not in page and "/static/web/errors.js" in page
