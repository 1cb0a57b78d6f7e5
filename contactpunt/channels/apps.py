from django.apps import AppConfig


class ChannelAdaptersConfig(AppConfig):
    name = "contactpunt.channels"
    # Django Channels already owns the label "channels".
    label = "channel_adapters"
    default_auto_field = "django.db.models.BigAutoField"
