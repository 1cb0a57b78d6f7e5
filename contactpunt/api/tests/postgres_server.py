"""A PostgreSQL server of the test's own, in a temporary folder on a free loopback port, that the
test may stop and start (the CI's and the developer's shared server must not be touched).

PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user (created when
missing, as .ci/run does)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from contactpunt.channels.tests.dovecot import free_port


def initdb_path() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]) if found else None


def _as_server_user(command: list[str]) -> list[str]:
    if os.getuid() != 0:
        return command
    if subprocess.run(["id", "postgres"], capture_output=True, check=False).returncode != 0:  # noqa: S607
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)  # noqa: S607
    return ["runuser", "-u", "postgres", "--", *command]


@dataclass
class OwnPostgres:
    bin: Path
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://contactpunt@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        command = [str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), *args]
        subprocess.run(_as_server_user(command), check=True, capture_output=True)  # noqa: S603 - our own paths

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._ctl("-l", str(self.folder / "log"), "-w", "-o", options, "start")

    def stop(self) -> None:
        """Stop at once, as a crash would (`-m immediate`): open connections die mid-use."""
        self._ctl("-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        subprocess.run(  # noqa: S603 - our own paths
            _as_server_user([str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start_own_postgres() -> OwnPostgres:
    """Create a cluster (user `contactpunt`, trust on loopback) and start it."""
    initdb = initdb_path()
    assert initdb is not None, "initdb is not installed"
    folder = Path(tempfile.mkdtemp(prefix="contactpunt-test-pg-"))
    folder.chmod(0o755)
    if os.getuid() == 0:
        _as_server_user(["true"])
        shutil.chown(folder, "postgres")
    command = [str(initdb), "-D", str(folder / "data"), "-U", "contactpunt", "--auth=trust", "-E", "UTF8"]
    subprocess.run(_as_server_user(command), check=True, capture_output=True)  # noqa: S603 - our own paths
    server = OwnPostgres(initdb.parent, folder, free_port())
    server.start()
    return server
