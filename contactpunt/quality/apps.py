from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "contactpunt.quality"
    verbose_name = _("Quality")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contactpunt.ops import periodic
        from contactpunt.quality import privacy, tasks

        privacy.register()
        periodic.register(tasks.draw_weekly_sample, every=tasks.SAMPLE_EVERY)
