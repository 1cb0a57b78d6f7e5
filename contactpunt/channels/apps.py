from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelAdaptersConfig(AppConfig):
    name = "contactpunt.channels"
    verbose_name = _("Channels")
    # Django Channels already owns the label "channels".
    label = "channel_adapters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contactpunt.channels import outbox_writers, privacy, tasks
        from contactpunt.channels.email.outbox import send_email
        from contactpunt.channels.meta.sender import send_meta
        from contactpunt.channels.senders import register_sender
        from contactpunt.channels.webchat import delivery as webchat_delivery
        from contactpunt.contacts.models import Channel
        from contactpunt.ops import periodic

        register_sender(Channel.EMAIL, send_email)
        register_sender(Channel.WEBFORM, send_email)
        register_sender(Channel.SOCIAL, send_meta)
        register_sender(Channel.WHATSAPP, send_meta)

        periodic.register(tasks.poll_mailboxes, every=tasks.POLL_EVERY)
        periodic.register(tasks.retry_mail, every=tasks.RETRY_EVERY)
        periodic.register(tasks.send_outbox, every=tasks.SEND_EVERY)
        periodic.register(tasks.retry_meta_webhooks, every=tasks.RETRY_EVERY)
        webchat_delivery.register()
        outbox_writers.register_writers()
        privacy.register()
