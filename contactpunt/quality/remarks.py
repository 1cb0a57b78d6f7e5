"""Positive customer remarks passed on to the agent and their team lead (on the agent's coaching page): the kind
words of surveys about the agent's contacts (a promoter's or a CSAT 5's comment), and customers' messages the
insights read as positive in the cases the agent worked on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from contactpunt.contacts.models import ContactLeg, Direction, WorkSession
from contactpunt.feedback.models import Answer, kind_words
from contactpunt.insights.models import MessageInsight, Sentiment
from contactpunt.people.models import User

#: How far back the coaching page looks for remarks.
WINDOW = dt.timedelta(weeks=4)


@dataclass(frozen=True)
class Remark:
    """Something kind a customer said: in a survey's comment, or in a message of theirs."""

    text: str
    said_at: dt.datetime
    in_survey: bool


def kind_remarks(agent: User, *, now: dt.datetime, limit: int = 10) -> list[Remark]:
    """The newest `limit` positive remarks of the last four weeks up to `now` about `agent`'s work, newest first."""
    since = now - WINDOW
    answers = kind_words(Answer.objects.filter(invitation__agent=agent, answered_at__gte=since, answered_at__lt=now))
    surveys = [
        Remark(comment, at, True)
        for comment, at in answers.order_by("-answered_at").values_list("comment", "answered_at")[:limit]
    ]
    legs = ContactLeg.objects.filter(agent=agent, answered_at__gte=since, answered_at__lt=now)
    sessions = WorkSession.objects.filter(agent=agent, started_at__gte=since, started_at__lt=now)
    cases = {*legs.values_list("contact__case_id", flat=True), *sessions.values_list("contact__case_id", flat=True)}
    cases.discard(None)
    messages = [
        Remark(text, at, False)
        for text, at in MessageInsight.objects.filter(
            sentiment=Sentiment.POSITIVE,
            message__case_id__in=cases,
            message__direction=Direction.INBOUND,
            message__is_internal=False,
            occurred_at__gte=since,
            occurred_at__lt=now,
        )
        .exclude(message__text="")
        .order_by("-occurred_at")
        .values_list("message__text", "occurred_at")[:limit]
    ]
    return sorted(surveys + messages, key=lambda remark: remark.said_at, reverse=True)[:limit]
