"""Test-suite wide setup: Hypothesis profiles, the rule that server tests fail on CI, and the test clock."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import settings as hypothesis_settings

hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


# -- the clock ---------------------------------------------------------------------------------------------------
# No test may depend on today's date or hour. `--now` (or CONTACTPUNT_TEST_NOW) runs every test with the clock
# moved to that moment (ISO 8601; without an offset read in Europe/Amsterdam), ticking on from there, so the
# suite can be tried on any day and hour; CI runs the tests marked `clock` under two such clocks (.ci/run). A test
# that needs a moment of its own travels there itself (`time_machine.travel` nests inside this one).

CLOCK_ZONE = "Europe/Amsterdam"
#: The test modules that touch the clock (the demo, the simulator's live mode, forecasts, shift plans, today's
#: figures, business hours, the workspace and the worker): marked `clock`, so `-m clock` runs them.
CLOCK_MODULES = (
    "contactpunt/channels/tests/test_mail_intake.py",
    "contactpunt/channels/tests/test_meta_sender.py",
    "contactpunt/channels/tests/test_meta_webcare.py",
    "contactpunt/channels/tests/test_senders.py",
    "contactpunt/channels/tests/test_webform.py",
    "contactpunt/channels/tests/test_webchat_consumer.py",
    "contactpunt/contacts/tests/test_business_hours.py",
    "contactpunt/contacts/tests/test_inbound.py",
    "contactpunt/contacts/tests/test_order_status.py",
    "contactpunt/contacts/tests/test_workspace_services.py",
    "contactpunt/insights/tests/test_spikes.py",
    "contactpunt/insights/tests/test_views.py",
    "contactpunt/kpis/tests/test_command.py",
    "contactpunt/kpis/tests/test_rollups.py",
    "contactpunt/kpis/tests/test_views.py",
    "contactpunt/ops/tests/test_demo_and_worker.py",
    "contactpunt/simulation/tests/test_engine_process.py",
    "contactpunt/simulation/tests/test_simulation.py",
    "contactpunt/web/tests/test_workspace_views.py",
    "contactpunt/workforce/tests/test_adherence.py",
    "contactpunt/workforce/tests/test_demo.py",
    "contactpunt/workforce/tests/test_forecast.py",
    "contactpunt/workforce/tests/test_plan_shifts.py",
    "contactpunt/workforce/tests/test_staffing_command.py",
    "contactpunt/workforce/tests/test_views.py",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--now",
        default=os.environ.get("CONTACTPUNT_TEST_NOW") or None,
        help="Run the tests with the clock moved to this ISO 8601 moment (default: $CONTACTPUNT_TEST_NOW).",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "clock: touches the clock; CI runs these again under two frozen clocks")
    text = config.getoption("--now")
    if text:
        clock_moment(text)  # a bad value stops the run before any test


def pytest_report_header(config: pytest.Config) -> str | None:
    text = config.getoption("--now")
    return f"clock moved to {clock_moment(text).isoformat()}" if text else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(str(config.rootpath))
    marked = {root / module for module in CLOCK_MODULES}
    for item in items:
        if Path(str(item.path)) in marked:
            item.add_marker(pytest.mark.clock)


def clock_moment(text: str) -> dt.datetime:
    """Return the moment `--now` names, aware (a naive moment is local time in Europe/Amsterdam)."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as error:
        raise pytest.UsageError(f"--now / CONTACTPUNT_TEST_NOW is not an ISO 8601 moment: {text!r}") from error
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=ZoneInfo(CLOCK_ZONE))


@pytest.fixture(autouse=True)
def _moved_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """Move the clock to --now for the whole test (ticking on from there), when it is given."""
    text = request.config.getoption("--now")
    if not text:
        yield
        return
    with time_machine.travel(clock_moment(text), tick=True):
        yield
