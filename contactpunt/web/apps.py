from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "contactpunt.web"
    verbose_name = _("Web interface")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contactpunt.web import login_throttle
        from contactpunt.web.workspace.live import subscribe_live
        from contactpunt.web.workspace.outbox import register_writers

        subscribe_live()
        register_writers()
        login_throttle.connect()
