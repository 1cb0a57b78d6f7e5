"""Third-party apps under the names the admin shows for them."""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TasksConfig(TasksAppConfig):
    """django-tasks' database backend, shown in the admin as the background jobs."""

    verbose_name = _("Background jobs")
