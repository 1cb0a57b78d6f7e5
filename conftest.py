"""Test-suite wide setup: Hypothesis profiles and the rule that server tests fail on CI."""

from __future__ import annotations

import os

from hypothesis import settings as hypothesis_settings

hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")
