"""The first survey versions: NPS and CSAT in Dutch and English, for any channel and reason."""

from typing import Any

from django.db import migrations

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


def seed(apps: Any, schema_editor: Any) -> None:
    survey = apps.get_model("feedback", "Survey")
    for kind, wordings in (("nps", NPS), ("csat", CSAT)):
        for language, questions in wordings.items():
            survey.objects.get_or_create(
                kind=kind, channel="", reason=None, language=language, version=1, defaults={"questions": questions}
            )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
