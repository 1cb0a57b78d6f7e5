"""The organisation's survey rules, read once per decision batch."""

from __future__ import annotations

from contactpunt.feedback.models import FeedbackSettings


def current_settings() -> FeedbackSettings:
    """The one settings row (made with the defaults on first use)."""
    row, _ = FeedbackSettings.objects.get_or_create(pk=1)
    return row


def set_throttle_days(days: int) -> FeedbackSettings:
    """Set how many days must pass before a person is surveyed again (7-365); ValueError otherwise."""
    if not 7 <= days <= 365:
        raise ValueError("throttle_days must be between 7 and 365")
    row = current_settings()
    row.throttle_days = days
    row.save(update_fields=["throttle_days"])
    return row
