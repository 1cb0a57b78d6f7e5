"""`contactpunt import-mail`: see import_mail."""

from contactpunt.channels.management.commands.import_mail import Command

__all__ = ["Command"]
