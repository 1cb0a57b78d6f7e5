from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "contactpunt.ops"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contactpunt.ops import periodic, retention

        periodic.register(retention.retention, every=retention.RETENTION_EVERY)
