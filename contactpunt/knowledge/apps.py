from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "contactpunt.knowledge"
    default_auto_field = "django.db.models.BigAutoField"
