"""The console keeps a refusal's line without its traceback, and every other error's traceback."""

from __future__ import annotations

import logging
import sys

from django.core.exceptions import PermissionDenied

from contactpunt.config.log_filters import refusal_without_traceback


def _record(status: int) -> logging.LogRecord:
    try:
        raise PermissionDenied("nee")
    except PermissionDenied:
        record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "x", (), sys.exc_info())
    record.status_code = status
    return record


def test_a_refusal_is_one_line_and_an_error_keeps_its_traceback() -> None:
    refused, failed = _record(403), _record(500)
    assert refusal_without_traceback(refused) and refused.exc_info is None
    assert refusal_without_traceback(failed) and failed.exc_info is not None


def test_the_settings_filter_the_console() -> None:
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    assert any(getattr(f, "callback", None) is refusal_without_traceback for h in handlers for f in h.filters)
