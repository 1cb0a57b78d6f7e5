from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "contactpunt.insights"
    verbose_name = _("Insights")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_tasks import task_backends
        from django_tasks.backends.immediate import ImmediateBackend

        from contactpunt.contacts.announcements import Announcement, subscribe_many, subscribe_within
        from contactpunt.insights import privacy, tasks
        from contactpunt.ops import periodic

        if isinstance(task_backends[tasks.analyse_contacts.backend], ImmediateBackend):
            # A backend that runs each task at once (the tests', a development setting) would analyse inside the
            # contacts' transaction: it gets the task after commit.
            subscribe_many(Announcement.CONTACT_RECEIVED, tasks.enqueue_analysis)
        else:
            # A queueing backend stores the task with the contacts, in their transaction: no commit of its own,
            # and never a stored contact whose analysis was not enqueued.
            subscribe_within(Announcement.CONTACT_RECEIVED, tasks.enqueue_analysis)
        privacy.register()
        periodic.register(tasks.retrain_reason_model, every=tasks.RETRAIN_EVERY)
        periodic.register(tasks.detect_structural_problems, every=tasks.DETECT_EVERY)
        periodic.register(tasks.analyse_history, every=tasks.HISTORY_EVERY)
