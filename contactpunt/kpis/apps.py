from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "contactpunt.kpis"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contactpunt.kpis import rollups, tasks
        from contactpunt.ops import periodic

        rollups.connect()
        periodic.register(tasks.refresh_rollups, every=tasks.REFRESH_EVERY)
