"""A real dovecot IMAP server on a free loopback port, for the mail tests and bench/email.py.

One passwd-file user over plain IMAP, its Maildir under a folder of our own. Run as root, dovecot's own users must
be able to reach the files, so the folder is world-readable and the Maildir belongs to dovecot's internal user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = Path("/usr/sbin/dovecot")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Dovecot:
    port: int
    maildir: Path
    owner: pwd.struct_passwd  # who the mail files must belong to
    config: Path

    def stop(self) -> None:
        subprocess.run([str(DOVECOT), "-c", str(self.config), "stop"], check=False)  # noqa: S603 - our own config


def start_dovecot(root: Path, *, user: str, password: str) -> Dovecot:
    """Start dovecot serving `user`/`password` with its Maildir under `root` (which must not be under a 0700
    tree such as pytest's tmp_path); return when it accepts connections."""
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    if os.getuid() == 0:
        internal, login = "dovecot", "dovenull"
    else:
        internal = login = pwd.getpwuid(os.getuid()).pw_name
    owner = pwd.getpwnam(internal)
    port = free_port()
    maildir = root / "mail" / user
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (root / "passwd").write_text(f"{user}:{{PLAIN}}{password}\n")
    config = root / "dovecot.conf"
    config.write_text(
        f"""base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = cp-{port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
auth_failure_delay = 0
mail_location = maildir:{root}/mail/%u
default_internal_user = {internal}
default_login_user = {login}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={root}/mail/%u
}}
"""
    )
    if os.getuid() == 0:
        for path in [root / "mail", *(root / "mail").rglob("*")]:
            shutil.chown(path, internal, internal)
    subprocess.run([str(DOVECOT), "-c", str(config)], check=True)  # noqa: S603 - a fixed binary and our own config
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return Dovecot(port, maildir, owner, config)
