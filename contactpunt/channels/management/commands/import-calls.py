"""`contactpunt import-calls`: see import_calls."""

from contactpunt.channels.management.commands.import_calls import Command

__all__ = ["Command"]
