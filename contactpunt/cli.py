"""The `contactpunt` console script: Django's management commands under the product's name."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path


def ensure_secret_key(data_dir: Path) -> None:
    """Generate the secret key once and keep it in the data folder, unless SECRET_KEY is given."""
    if os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE"):
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        # O_EXCL: two first starts at once must not write two different keys.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(50))


LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def serves_loopback_only(argv: list[str]) -> bool:
    """True for `up` on a loopback address (its default): the local demo, reached from this machine only."""
    if len(argv) < 2 or argv[1] != "up":
        return False
    host = "127.0.0.1"
    for position, argument in enumerate(argv):
        if argument == "--host" and position + 1 < len(argv):
            host = argv[position + 1]
        elif argument.startswith("--host="):
            host = argument.split("=", 1)[1]
    return host in LOOPBACK


def main(argv: list[str] | None = None) -> None:
    """Run a management command, with the data folder and its secret key prepared first."""
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings")
    if serves_loopback_only(argv):
        # Over plain HTTP to this machine alone a Secure cookie protects nothing, and some browsers
        # (Safari) drop it on http://127.0.0.1: the demo would refuse every login.
        os.environ.setdefault("SECURE_COOKIES", "false")
    if os.environ["DJANGO_SETTINGS_MODULE"] == "contactpunt.config.settings":
        # Every command works out of the box on a developer's machine: the key `up` would make.
        from contactpunt.config.paths import data_dir

        ensure_secret_key(data_dir())
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
