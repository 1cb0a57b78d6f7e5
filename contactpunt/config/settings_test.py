"""Settings for the test suite: the real settings with a test key and the immediate task backend."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-for-django-checks")
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

from contactpunt.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
# Django's test client logs in without a request, which login throttling needs; the throttling's
# own tests switch it on.
AXES_ENABLED = False
