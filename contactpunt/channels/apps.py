from django.apps import AppConfig


class ChannelAdaptersConfig(AppConfig):
    name = "contactpunt.channels"
    # Django Channels already owns the label "channels".
    label = "channel_adapters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contactpunt.channels import tasks
        from contactpunt.ops import periodic

        periodic.register(tasks.poll_mailboxes, every=tasks.POLL_EVERY)
        periodic.register(tasks.retry_mail, every=tasks.RETRY_EVERY)
        periodic.register(tasks.send_outbox, every=tasks.SEND_EVERY)
