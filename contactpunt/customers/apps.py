from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "contactpunt.customers"
    default_auto_field = "django.db.models.BigAutoField"
