"""Settings for the test suite: the real settings with a test key and the immediate task backend."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-for-django-checks")
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

from contactpunt.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
# Django's test client logs in without a request, which login throttling needs; the throttling's
# own tests switch it on.
AXES_ENABLED = False
# A replica alias mirroring the test database, so the replica's own tests can send reads to it; the rest of the
# suite reads from the primary (REPLICA_READS off), as the data a test writes is not committed.
if "replica" not in DATABASES:  # noqa: F405
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
REPLICA_READS = False
