from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneyConfig(AppConfig):
    name = "contactpunt.journey"
    verbose_name = _("Customer journey")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contactpunt.journey import privacy, tasks
        from contactpunt.ops import periodic

        privacy.register()
        periodic.register(tasks.create_moment_tasks, every=tasks.MOMENTS_EVERY)
