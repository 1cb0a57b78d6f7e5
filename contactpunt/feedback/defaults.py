"""The first survey versions (NPS and CSAT, Dutch and English, any channel and reason): written by a migration,
and again when none is active (a database emptied between tests, or every version retired by mistake)."""

from __future__ import annotations

from contactpunt.feedback.models import Survey

NPS = {
    "nl": {
        "score": "Hoe waarschijnlijk is het dat u ons aanbeveelt aan vrienden of familie?",
        "solved": "Is uw vraag opgelost?",
        "expertise": "Hoe deskundig was de medewerker?",
        "friendliness": "Hoe vriendelijk was de medewerker?",
        "effort": "Hoeveel moeite kostte het om uw vraag geregeld te krijgen?",
        "open": "Wat is de belangrijkste reden voor uw cijfer?",
    },
    "en": {
        "score": "How likely is it that you would recommend us to a friend or family member?",
        "solved": "Was your question solved?",
        "expertise": "How knowledgeable was the agent?",
        "friendliness": "How friendly was the agent?",
        "effort": "How much effort did it take to get your question handled?",
        "open": "What is the main reason for your score?",
    },
}
CSAT = {
    "nl": dict(NPS["nl"], score="Hoe tevreden bent u over de afhandeling van uw vraag?"),
    "en": dict(NPS["en"], score="How satisfied are you with how your question was handled?"),
}


def ensure_default_surveys() -> None:
    """Create version 1 of each default survey unless an active version of that kind and language exists."""
    for kind, wordings in (("nps", NPS), ("csat", CSAT)):
        for language, questions in wordings.items():
            if not Survey.objects.filter(kind=kind, language=language, is_active=True).exists():
                Survey.objects.get_or_create(
                    kind=kind,
                    channel="",
                    reason=None,
                    language=language,
                    version=1,
                    defaults={"questions": questions},
                )
