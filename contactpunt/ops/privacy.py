"""The worker's part of a customer's erasure: the task rows (django-tasks' results) hold task arguments, return
values and tracebacks, which may name the customer. Registered in apps.ready(); runs inside the erasing transaction.

- the message analysis's waiting and finished jobs lose the erased customer's contact ids from their arguments
  (a waiting job then simply does not analyse them);
- a finished job whose arguments, return value or traceback contains the customer's name, address or number keeps
  its status and times but loses those three; a waiting one is deleted (its work was about the erased customer).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from contactpunt.contacts import announcements, privacy
from contactpunt.customers.models import Customer

logger = logging.getLogger(__name__)

#: Tasks whose first argument is a list of contact ids.
CONTACT_ID_TASKS = ("contactpunt.insights.tasks.analyse_contacts",)
MIN_NAME = 4


def _without(args_kwargs: Any, erased: set[int]) -> Any:
    args = list(args_kwargs.get("args", [])) if isinstance(args_kwargs, dict) else []
    if not args or not isinstance(args[0], list):
        return args_kwargs
    kept = [pk for pk in args[0] if pk not in erased]
    return args_kwargs if len(kept) == len(args[0]) else {**args_kwargs, "args": [kept, *args[1:]]}


def erase(message: announcements.Message) -> None:
    scope = privacy.customer_scope(message.ids["customer_id"])
    erased = set(scope.contact_ids)
    for row in DBTaskResult.objects.filter(task_path__in=CONTACT_ID_TASKS).only("id", "args_kwargs").iterator():
        changed = _without(row.args_kwargs, erased)
        if changed is not row.args_kwargs:
            DBTaskResult.objects.filter(pk=row.pk).update(args_kwargs=changed)
    names = Customer.objects.filter(pk__in=scope.customer_ids).values_list("display_name", flat=True)
    needles = [*scope.needles, *(n.strip() for n in names if len(n.strip()) >= MIN_NAME)]
    if not needles:
        return
    texts = DBTaskResult.objects.annotate(
        args_text=Cast("args_kwargs", TextField()), return_text=Cast("return_value", TextField())
    )
    naming = Q()
    for needle in needles:
        naming |= Q(args_text__contains=needle) | Q(return_text__contains=needle) | Q(traceback__contains=needle)
    found = list(texts.filter(naming).values_list("pk", "status"))
    waiting = [pk for pk, status in found if status == TaskResultStatus.READY]
    finished = [pk for pk, status in found if status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)]
    DBTaskResult.objects.filter(pk__in=waiting).delete()
    DBTaskResult.objects.filter(pk__in=finished).update(
        args_kwargs={"args": [], "kwargs": {}}, return_value=None, traceback=""
    )
    running = len(found) - len(waiting) - len(finished)
    if running:
        logger.warning("%d running task(s) name an erased customer; their rows were left as they are", running)


def register() -> None:
    announcements.subscribe_now(announcements.Announcement.CUSTOMER_ERASED, erase)
