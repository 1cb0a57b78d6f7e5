"""The arrows of DESIGN.md hold for the models too, where import-linter cannot look: a foreign key
written as a string ("contacts.ProductType") is a dependency all the same. The import contracts
themselves are in pyproject.toml ([tool.importlinter]) and run in CI as `lint-imports`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from django.apps import apps

BELOW = {"auth", "contenttypes"}  # Django's own apps, under everything
ALLOWED = {
    "people": {"people"},
    "audit": {"audit", "people"},
    "customers": {"customers", "people", "audit"},
    "contacts": {"contacts", "customers", "people", "audit"},
}


def test_no_model_points_up_the_layers():
    wrong = []
    for app, allowed in ALLOWED.items():
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                if not (field.is_relation and field.concrete) or field.related_model is None:
                    continue
                target = field.related_model._meta.app_label
                if target not in allowed | BELOW:
                    wrong.append(f"{model._meta.label}.{field.name} -> {field.related_model._meta.label}")
    assert not wrong, wrong


def test_the_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run(  # noqa: S603 - our own virtualenv's tool
        [str(lint), "--no-cache"],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-4000:]
