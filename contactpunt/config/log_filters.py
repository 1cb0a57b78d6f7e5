"""Logging filters of the settings' LOGGING."""

from __future__ import annotations

import logging


def refusal_without_traceback(record: logging.LogRecord) -> bool:
    """Keep a refused request's line (403: a role asked for a page it may not see) but drop its traceback: the
    refusal is the product working, and a stack of frames per refusal buries the console's real errors."""
    if getattr(record, "status_code", None) == 403:
        record.exc_info = None
        record.exc_text = None
    return True
