from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "contactpunt.knowledge"
    verbose_name = _("Knowledge base")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contactpunt.contacts.announcements import Announcement, subscribe, subscribe_many
        from contactpunt.contacts.services.templates import register_template_guard
        from contactpunt.knowledge import privacy, quotes, services, tasks, widget
        from contactpunt.ops import periodic

        services.on_article_changed(quotes.flag_quotes)
        register_template_guard(quotes.block_reason)
        subscribe(Announcement.REPLY_FROM_TEMPLATE, quotes.record_sent_quotes)
        subscribe_many(Announcement.CONTACT_RECEIVED, widget.link_chat_contacts)
        privacy.register()
        periodic.register(tasks.flag_owner_tasks, every=tasks.FLAG_EVERY)
