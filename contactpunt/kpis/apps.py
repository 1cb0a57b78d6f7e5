from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "contactpunt.kpis"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contactpunt.kpis import rollups

        rollups.connect()
