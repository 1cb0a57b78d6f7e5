"""The second, short question some days or weeks after the first on the same case: did the solution last?

Only for queues whose rule sets `second_wave_days`, only for customers who answered the first invitation, and
never for an erased or opted-out customer. The second wave is about the same case, so the person throttle
(which keeps people from being asked about new cases too often) does not apply to it. Idempotent: a case gets at
most one second invitation (the unique case and wave).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from contactpunt import fast_insert
from contactpunt.feedback.models import Invitation, QueueSurveyRule
from contactpunt.feedback.services.config import current_settings
from contactpunt.feedback.services.opt_outs import not_to_survey


def decide_second_waves(now: dt.datetime) -> int:
    """Write the second invitations that are due by `now`; return how many."""
    rules = {
        r.queue_id: r.second_wave_days or 0 for r in QueueSurveyRule.objects.filter(second_wave_days__isnull=False)
    }
    if not rules:
        return 0
    valid_for = dt.timedelta(days=current_settings().token_days)
    with transaction.atomic():
        first = Invitation.objects.filter(
            wave=1, answered_at__isnull=False, queue_id__in=rules, customer__erased_at=None
        ).exclude(case_id__in=Invitation.objects.filter(wave=2).values("case_id"))
        refusing = not_to_survey(first.values_list("customer_id", flat=True))
        new = []
        for inv in first.iterator():
            if inv.customer_id in refusing:
                continue
            at = inv.decided_at + dt.timedelta(days=rules[inv.queue_id])
            if at > now:
                continue
            new.append(
                fast_insert.build(
                    Invitation,
                    case_id=inv.case_id,
                    contact_id=inv.contact_id,
                    customer_id=inv.customer_id,
                    agent_id=inv.agent_id,
                    team_id=inv.team_id,
                    site_id=inv.site_id,
                    queue_id=inv.queue_id,
                    reason_id=inv.reason_id,
                    channel=inv.channel,
                    medium=inv.medium,
                    survey_id=inv.survey_id,
                    language=inv.language,
                    wave=2,
                    decided_at=at,
                    send_at=at,
                    expires_at=at + valid_for,
                )
            )
        fast_insert.save_new([new])
    return len(new)
