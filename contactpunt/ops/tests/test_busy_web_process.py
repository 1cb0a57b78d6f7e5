"""A web process of `up --workers N` that cannot answer its supervisor's health check for a while (a loaded machine:
its ping thread waits for the interpreter lock behind the requests) is left to finish its work, not killed with
every request it holds (uvicorn's default gives it 5 s; WEB_WORKER_HEALTHCHECK_S)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from contactpunt.channels.tests.dovecot import free_port

ROOT = Path(__file__).resolve().parents[3]


def _web_processes(parent: int) -> list[int]:
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return sorted(
        int(pid)
        for pid in children
        if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text()
        and "resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_text()
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"


def test_a_web_process_silent_for_longer_than_uvicorns_5_s_is_not_killed(tmp_path):
    environment = {
        **os.environ,
        "CONTACTPUNT_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'contactpunt.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "contactpunt.config.settings",
        "PYTHONPATH": str(ROOT),
        "WEB_WORKER_HEALTHCHECK_S": "30",
    }
    port = free_port()
    command = [sys.executable, "-m", "contactpunt.cli", "up", "--no-demo", "--no-worker", "--workers", "2"]
    server = subprocess.Popen(  # noqa: S603 - our own interpreter
        [*command, "--port", str(port)], env=environment, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/api/v1/openapi.json"
    try:
        for _attempt in range(1200):
            try:
                if httpx.get(url, timeout=1).status_code == 200 and len(_web_processes(server.pid)) == 2:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, "the server stopped while starting"
            time.sleep(0.1)
        before = _web_processes(server.pid)
        assert len(before) == 2
        os.kill(before[0], signal.SIGSTOP)  # silent, as a process starved of the CPU is
        time.sleep(8)
        with contextlib.suppress(ProcessLookupError):  # killed meanwhile, as uvicorn's default 5 s did
            os.kill(before[0], signal.SIGCONT)
        time.sleep(1)
        still = [_alive(pid) for pid in before]
        after = _web_processes(server.pid)
        answers = [httpx.get(url, timeout=10).status_code for _ in range(4)]
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert still == [True, True]
    assert after == before
    assert answers == [200] * 4
