"""Schemathesis with all its checks against the live API, driven by the committed OpenAPI document:
no 5xx, every answer matching the document (status, content type, body), on a bounded budget with
a fixed seed. The same run as `schemathesis run` from the command line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from contactpunt.api.models import Integration
from contactpunt.contacts.models import Channel, Queue
from contactpunt.people.models import Department, Role, User
from contactpunt.web.tests.browser import live_server

API = Path(__file__).resolve().parents[1]


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_nothing_with_all_checks(tmp_path):
    department = Department.objects.create(name="Klantenservice", cost_per_hour=35)
    Queue.objects.create(code="phone-general", name="Telefoon", channel=Channel.PHONE, department=department)
    User.objects.create_user(username="anna", password="x", role=Role.AGENT)
    integration = Integration(name="Centrale", source="pbx")
    token = integration.set_new_token()
    integration.save()
    cli = Path(sys.executable).with_name("schemathesis")
    assert cli.exists() or shutil.which("schemathesis"), "schemathesis is a pinned dev dependency"
    with live_server() as url:
        run = subprocess.run(  # noqa: S603 - our own virtualenv's tool against our own loopback server
            [
                str(cli),
                "--config-file",
                str(API / "schemathesis.toml"),
                "run",
                str(API / "openapi.json"),
                "--url",
                url,
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                "all",
                "--max-examples",
                "20",
                "--seed",
                "20261206",
                "--request-timeout",
                "30",
                "--report",
                "junit",
                "--report-dir",
                str(tmp_path),
                "--warnings",
                "off",
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,  # schemathesis keeps a cache folder where it runs
            timeout=900,
            check=False,
        )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
