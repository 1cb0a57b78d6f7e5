"""Feedback: surveys, responses and the closed loop."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "contactpunt.feedback"
    verbose_name = _("Feedback")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contactpunt.contacts.announcements import Announcement, subscribe_many
        from contactpunt.feedback import privacy, tasks
        from contactpunt.feedback.services import invitations
        from contactpunt.ops import periodic

        subscribe_many(Announcement.CASE_RESOLVED, invitations.on_cases_resolved)
        privacy.register()
        periodic.register(tasks.decide_second_invitations, every=tasks.SECOND_WAVE_EVERY)
        periodic.register(tasks.send_invitations, every=tasks.SEND_EVERY)
