from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "contactpunt.ops"
    verbose_name = _("Operations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contactpunt.ops import partition_job, periodic, privacy, redelivery, retention

        periodic.register(retention.retention, every=retention.RETENTION_EVERY)
        periodic.register(redelivery.redeliver_announcements, every=redelivery.REDELIVER_EVERY)
        periodic.register(partition_job.make_partitions_ahead, every=partition_job.PARTITIONS_EVERY)
        privacy.register()
