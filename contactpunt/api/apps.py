from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "contactpunt.api"
    verbose_name = _("API integrations")
    default_auto_field = "django.db.models.BigAutoField"
