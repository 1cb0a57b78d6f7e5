"""Every response carries a CSP without inline script, a Permissions-Policy, and no-store where
personal data may show; the production settings pass `check --deploy` without a warning."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from contactpunt.cli import serves_loopback_only
from contactpunt.conftest import make_user
from contactpunt.people.models import Role

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_a_page_for_a_logged_in_user_is_never_stored_and_runs_no_inline_script(team):
    client = Client()
    client.force_login(make_user("anna", Role.AGENT, team))
    response = client.get("/")

    assert response.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Cache-Control"] == "no-store"
    assert b"<script>" not in response.content and b" onclick=" not in response.content


@pytest.mark.django_db
def test_api_answers_are_never_stored(token):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/cases")
    assert api.status_code == 200 and api["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_the_embeddable_form_keeps_its_own_frame_ancestors(settings, email_queue):
    settings.WEBCHAT_ALLOWED_ORIGINS = ["https://shop.example"]
    response = Client().get("/channels/form/embed/")
    policy = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'self' https://shop.example" in policy
    assert "script-src 'self'" in policy


def test_production_settings_pass_check_deploy_without_a_warning(tmp_path):
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "contactpunt.config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "k8Jq2v0x-production-like-secret-Zr4pW9sT1mN7bC3dF6gH",
        "ALLOWED_HOSTS": "contactpunt.example.nl",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_PRELOAD": "true",
        "CONTACTPUNT_DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    run = subprocess.run(
        [sys.executable, "-m", "contactpunt.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout


@pytest.mark.parametrize(
    ("argv", "local"),
    [
        (["contactpunt", "up"], True),
        (["contactpunt", "up", "--port", "9000"], True),
        (["contactpunt", "up", "--host", "::1"], True),
        (["contactpunt", "up", "--host", "0.0.0.0"], False),  # noqa: S104
        (["contactpunt", "up", "--host=10.1.2.3"], False),
        (["contactpunt", "worker"], False),
    ],
)
def test_only_a_loopback_up_sends_cookies_without_secure(argv, local):
    assert serves_loopback_only(argv) is local
