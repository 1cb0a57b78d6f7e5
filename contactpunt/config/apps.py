"""Third-party apps under the names the admin shows for them."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TasksConfig(TasksAppConfig):
    """django-tasks' database backend, shown in the admin as the background jobs."""

    # The base class spells its name as a plain str; a lazy translation is what Django expects here.
    verbose_name = _("Background jobs")  # type: ignore[assignment]


class AxesConfig(AxesAppConfig):  # type: ignore[misc]  # django-axes ships no types
    """django-axes' login throttling, shown in the admin under a Dutch name (it has no translation of its own)."""

    verbose_name = _("Login protection")
