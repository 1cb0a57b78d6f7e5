from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "contactpunt.insights"
    verbose_name = _("Insights")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contactpunt.contacts.announcements import Announcement, subscribe_many
        from contactpunt.insights import privacy, tasks
        from contactpunt.ops import periodic

        subscribe_many(Announcement.CONTACT_RECEIVED, tasks.enqueue_analysis)
        privacy.register()
        periodic.register(tasks.retrain_reason_model, every=tasks.RETRAIN_EVERY)
        periodic.register(tasks.detect_structural_problems, every=tasks.DETECT_EVERY)
        periodic.register(tasks.analyse_history, every=tasks.HISTORY_EVERY)
