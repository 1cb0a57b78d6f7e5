"""The feedback part of a customer's export and erasure: their invitations, answers and follow-ups, and their
opt-out. Registered in apps.ready(); the erasure runs inside the erasing transaction."""

from __future__ import annotations

from typing import Any

from contactpunt.contacts import announcements, privacy
from contactpunt.feedback.models import Invitation, SurveyOptOut


def export(scope: privacy.CustomerScope) -> dict[str, Any]:
    """Every invitation of the customer with its answer, follow-up and thank-you, and whether they opted out."""
    invitations = (
        Invitation.objects.filter(customer_id__in=scope.customer_ids)
        .select_related("answer", "answer__follow_up", "answer__promoter_reply", "survey")
        .order_by("decided_at", "pk")
    )
    rows: list[dict[str, Any]] = []
    for inv in invitations:
        row: dict[str, Any] = {
            "case": inv.case_id,
            "channel": inv.channel,
            "medium": inv.medium,
            "survey": {"kind": inv.survey.kind, "version": inv.survey.version, "questions": inv.survey.questions},
            "decided_at": inv.decided_at.isoformat(),
            "opened_at": inv.opened_at.isoformat() if inv.opened_at else None,
            "answered_at": inv.answered_at.isoformat() if inv.answered_at else None,
            "answer": None,
        }
        answer = getattr(inv, "answer", None)
        if answer is not None:
            follow_up = getattr(answer, "follow_up", None)
            thanked = getattr(answer, "promoter_reply", None)
            row["answer"] = {
                "score": answer.score,
                "solved": answer.solved,
                "expertise": answer.expertise,
                "friendliness": answer.friendliness,
                "effort": answer.effort,
                "comment": answer.comment,
                "follow_up": None
                if follow_up is None
                else {
                    "outcome": follow_up.outcome,
                    "note": follow_up.note,
                    "closed_at": follow_up.closed_at and follow_up.closed_at.isoformat(),
                },
                "thanked": None if thanked is None else {"kind": thanked.kind, "at": thanked.at.isoformat()},
            }
        rows.append(row)
    opted_out = SurveyOptOut.objects.filter(customer_id__in=scope.customer_ids).exists()
    return {"invitations": rows, "opted_out": opted_out}


def erase(message: announcements.Message) -> None:
    """Delete the customer's invitations (their answers, follow-ups and thank-yous go with them) and their opt-out."""
    scope = privacy.customer_scope(message.ids["customer_id"])
    Invitation.objects.filter(customer_id__in=scope.customer_ids).delete()
    Invitation.objects.filter(case_id__in=scope.case_ids).delete()
    SurveyOptOut.objects.filter(customer_id__in=scope.customer_ids).delete()


def register() -> None:
    privacy.register_export("feedback", export)
    announcements.subscribe_now(announcements.Announcement.CUSTOMER_ERASED, erase)
