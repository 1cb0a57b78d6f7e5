"""What the browser tests share: the live ASGI server, headless Chromium, logging in and screenshots.

The fixtures `server_url` and `browser` (in contactpunt/conftest.py) are built from these. A browser test skips,
saying why, when Chromium is missing, and fails instead on CI.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import SyncToAsync
from django.db import connections

from contactpunt.web.chromium import CHROMIUM_ARGS

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 15_000

#: The live servers of this test session (their threads may have left database sessions behind).
served: list[str] = []


def require_chromium() -> None:
    """Skip (printing why) when headless Chromium is missing; fail on CI."""
    if not CHROMIUM.exists():
        reason = f"headless Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        print(reason)
        pytest.skip(reason)


@contextmanager
def live_server() -> Iterator[str]:
    """The real ASGI application (HTTP and websockets) served by uvicorn on a free loopback port."""
    import uvicorn

    from contactpunt.config.asgi import application

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(application, log_level="warning", lifespan="off", ws="websockets-sansio"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    served.append(f"http://127.0.0.1:{port}")
    try:
        yield served[-1]
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        _close_server_connections()


def _close_server_connections() -> None:
    """Close the database connections the server's requests and consumers opened, so the test database can be
    flushed and dropped. Django's sync code under uvicorn runs in asgiref's one thread-sensitive executor: close
    the connections there, then the pool they were lent from; the test's own connections are left alone."""
    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=10)
    for connection in connections.all(initialized_only=True):
        if hasattr(connection, "close_pool"):
            connection.close_pool()


@contextmanager
def chromium() -> Iterator[Any]:
    """Headless Chromium through Playwright's sync API."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def login(browser: Any, url: str, username: str, *, next_url: str = "/workspace/", landing: str | None = None) -> Any:
    """A new page logged in as `username` (password "pw-<username>", as `make_user` sets), on `landing`."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL").new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{url}/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}{landing or next_url}")
    return page


def screenshot(page: Any, name: str, *, full_page: bool = True) -> None:
    """Save a screenshot in $CONTACTPUNT_SCREENSHOTS when it is set (for the README's tour)."""
    folder = os.environ.get("CONTACTPUNT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=full_page)


def end_leftover_sessions() -> None:
    """At the end of the test session, end the PostgreSQL sessions a live server's threads may still hold on the
    test database, so that it can be dropped (this process's own connection stays)."""
    for connection in connections.all(initialized_only=True):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
