from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "contactpunt.web"
    verbose_name = _("Web interface")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contactpunt.web import login_throttle
        from contactpunt.web.workspace.live import subscribe_live

        subscribe_live()
        login_throttle.connect()
