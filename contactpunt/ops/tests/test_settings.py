"""Settings refuse to start insecurely, and `up` keeps its generated key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from contactpunt.cli import ensure_secret_key


def load_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "SECRET_KEY_FILE")}
    return subprocess.run(
        [sys.executable, "-c", "import contactpunt.config.settings as s; print(s.SECRET_KEY[:4], s.TIME_ZONE)"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_without_debug_a_missing_key_refuses_to_start(tmp_path: Path):
    result = load_settings({"CONTACTPUNT_DATA_DIR": str(tmp_path), "DEBUG": "false"})
    assert result.returncode != 0 and "SECRET_KEY is missing" in result.stderr


def test_without_debug_the_development_key_refuses_to_start(tmp_path: Path):
    key = "django-insecure-contactpunt-development-only"
    result = load_settings({"CONTACTPUNT_DATA_DIR": str(tmp_path), "SECRET_KEY": key})
    assert result.returncode != 0 and "development key" in result.stderr


def test_a_bad_boolean_names_the_variable(tmp_path: Path):
    result = load_settings({"CONTACTPUNT_DATA_DIR": str(tmp_path), "DEBUG": "maybe"})
    assert result.returncode != 0 and "DEBUG must be true or false" in result.stderr


def test_the_generated_key_is_made_once_and_then_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    ensure_secret_key(tmp_path)
    first = (tmp_path / "secret_key").read_text()
    ensure_secret_key(tmp_path)

    assert (tmp_path / "secret_key").read_text() == first and len(first) >= 50
    result = load_settings({"CONTACTPUNT_DATA_DIR": str(tmp_path), "TIME_ZONE": "Europe/Brussels"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [first[:4], "Europe/Brussels"]


@pytest.mark.parametrize("value", ["en", "nl"])
def test_language_is_nl_or_en(tmp_path: Path, value: str):
    result = load_settings({"CONTACTPUNT_DATA_DIR": str(tmp_path), "DEBUG": "true", "LANGUAGE_CODE": value})
    assert result.returncode == 0
    bad = load_settings({"CONTACTPUNT_DATA_DIR": str(tmp_path), "DEBUG": "true", "LANGUAGE_CODE": "fr"})
    assert "LANGUAGE_CODE must be nl or en" in bad.stderr
