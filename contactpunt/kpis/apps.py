from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "contactpunt.kpis"
    verbose_name = _("KPIs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contactpunt.kpis import rollups, tasks, team_changes
        from contactpunt.ops import periodic

        rollups.connect()
        team_changes.connect()
        periodic.register(tasks.refresh_rollups, every=tasks.REFRESH_EVERY)
        periodic.register(tasks.refresh_survey_snapshots, every=tasks.SNAPSHOTS_EVERY)
