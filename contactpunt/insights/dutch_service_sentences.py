"""Dutch service and review sentences made by code from the Dutch lexicon: service stories that end in a verdict.

The sentiment heads learn from English text; through the multilingual encoder they read Dutch, but
a Dutch service story ("Ik had een probleem met mijn bestelling, maar het werd dezelfde dag
opgelost") comes out negative: the story's words (probleem, klacht, retour, kapot) weigh more than
the verdict. These sentences put such stories on both sides: each is an optional story (the reason
for contact, written without opinion words, or with the damage words a real story has), a verdict
made of a service subject ("de bezorging", "de afhandeling van mijn klacht"), a frame (plain,
intensified, negated with "niet", contrasted with "maar") and a common review adjective (``ADJECTIVES``)
that the shipped Dutch lexicon holds with a clear polarity (at least 0.3 either way; the lexicon, not
this list, gives its side), and sometimes a closing line. The label is
the verdict's side: the adjective's, turned by a negating frame; in a "maar" frame the clause after
"maar". Deterministic for a given count (a fixed seed).

They teach the Dutch reading (``sentiment_dutch.py``: its review polarity head, the review fusion head
that learns how far the Dutch lexicon is trusted, and the domain gate, as review-like lines); they do
not teach the encoder's heads (tried: it cost the Dutch subtitles and English reviews more than it gave).
On these sentences the lexicon is nearly always right, so they stand for review text where it speaks
clearly; the real Dutch subtitle lines fitted beside them, each source weighing alike, stand for text
where the encoder reads better.
"""

from __future__ import annotations

import random

from contactpunt.insights.datasets import LabelledRows
from contactpunt.insights.lexicon import get_lexicon

CLEAR_POLARITY = 0.3
# How many the shipped model's Dutch fusion was fitted with (`insights train-sentiment --dutch-service-sentences`).
DUTCH_SERVICE_SENTENCES = 1000
SEED = 0
# Half the sentences open with a story, a quarter end with a closing line: as first written, not searched.
STORY_SHARE, CLOSING_SHARE = 0.5, 0.25

SUBJECTS = (
    "de bezorging",
    "de levering",
    "de service",
    "de klantenservice",
    "de medewerker",
    "het antwoord",
    "de terugbetaling",
    "het pakket",
    "het product",
    "de hulp",
    "de app",
    "de website",
    "de reparatie",
    "de installatie",
    "het personeel",
    "de afhandeling van mijn klacht",
    "de oplossing van mijn probleem",
    "het telefoongesprek",
    "de chat",
    "de factuur",
    "het advies",
    "de monteur",
    "de winkel",
    "de omruiling",
    "de retour",
    "mijn bestelling",
    "de kwaliteit",
    "het contact",
    "de communicatie",
    "de monteur die langskwam",
)

# Common words of Dutch reviews; kept only where the lexicon gives them a clear side (the rest are ignored).
ADJECTIVES = (
    "goed",
    "prima",
    "uitstekend",
    "geweldig",
    "fantastisch",
    "perfect",
    "snel",
    "vriendelijk",
    "duidelijk",
    "netjes",
    "keurig",
    "top",
    "super",
    "fijn",
    "handig",
    "mooi",
    "sterk",
    "betrouwbaar",
    "correct",
    "vlot",
    "efficiënt",
    "professioneel",
    "tevreden",
    "blij",
    "heerlijk",
    "lekker",
    "schoon",
    "eerlijk",
    "degelijk",
    "makkelijk",
    "gemakkelijk",
    "overzichtelijk",
    "adequaat",
    "prettig",
    "aangenaam",
    "uitmuntend",
    "briljant",
    "zorgvuldig",
    "soepel",
    "gezellig",
    "leuk",
    "aardig",
    "lief",
    "krachtig",
    "waardevol",
    "slecht",
    "traag",
    "langzaam",
    "onvriendelijk",
    "onbeleefd",
    "onduidelijk",
    "kapot",
    "waardeloos",
    "vreselijk",
    "verschrikkelijk",
    "belabberd",
    "beroerd",
    "teleurstellend",
    "vies",
    "smerig",
    "rommelig",
    "lui",
    "onbetrouwbaar",
    "arrogant",
    "brutaal",
    "lastig",
    "ingewikkeld",
    "omslachtig",
    "onhandig",
    "zwak",
    "nutteloos",
    "rampzalig",
    "dramatisch",
    "treurig",
    "triest",
    "middelmatig",
    "onvoldoende",
    "schandalig",
    "belachelijk",
    "slordig",
    "chaotisch",
    "irritant",
    "vervelend",
    "onacceptabel",
    "koud",
    "gedateerd",
    "verkeerd",
)

# The reason for contact, as a customer tells it before the verdict: a service topic, not an opinion.
STORIES = (
    "Ik had een probleem met mijn bestelling.",
    "Mijn pakket kwam niet aan, dus ik heb de klantenservice gebeld.",
    "Ik heb een klacht ingediend over de factuur.",
    "Ik wilde mijn abonnement opzeggen.",
    "Het product moest retour.",
    "Ik wachtte op de terugbetaling van mijn retour.",
    "Er stond een verkeerd bedrag op mijn rekening.",
    "Er was een storing en de monteur moest komen.",
    "Ik had een vraag over de levering.",
    "Het apparaat was kapot bij aankomst.",
    "Mijn bestelling was beschadigd.",
    "Ik ben verhuisd en moest mijn adres wijzigen.",
    "Na twee weken had ik nog steeds geen pakket.",
    "Ik heb drie keer gebeld over mijn klacht.",
    "De verkeerde maat werd geleverd.",
    "Ik vroeg om een terugbetaling.",
)

# (frame, +1 keeps the adjective's side, -1 turns it); {a} the verdict's adjective, {b} one of the other side.
FRAMES = (
    ("{S} was {a}.", 1),
    ("{S} is {a}.", 1),
    ("Ik vond {s} {a}.", 1),
    ("{S} was echt {a}!", 1),
    ("{S} was heel {a}.", 1),
    ("{S} was erg {a}.", 1),
    ("{S} was zeer {a}.", 1),
    ("{S} was niet {a}.", -1),
    ("{S} was helemaal niet {a}.", -1),
    ("{S} was nooit {a}.", -1),
    ("{S}? {A}.", 1),
    ("Mijn probleem is opgelost en {s} was {a}.", 1),
    ("Over mijn klacht: {s} was {a}.", 1),
    ("{S} was {b}, maar {t} was {a}.", 1),
    ("Eerst ging het mis, maar {s} was {a}.", 1),
    ("Het begon goed, maar {s} was {a}.", 1),
    ("{A}, zo zou ik {s} noemen.", 1),
)

CLOSINGS = {
    "positive": ("Ik bestel hier zeker weer.", "Een aanrader.", "Bedankt!", "Ik kom graag terug."),
    "negative": ("Nooit meer.", "Ik ga ergens anders heen.", "Geen aanrader.", "Ik heb mijn geld teruggevraagd."),
}


def dutch_service_sentences(count: int) -> LabelledRows:
    """``count`` labelled Dutch service sentences (positive or negative), the same for the same count."""
    lexicon = get_lexicon("nl")
    if lexicon is None:  # pragma: no cover - the Dutch lexicon ships with the product
        raise RuntimeError("the Dutch lexicon is missing")
    known = {word: lexicon.lookup(word) for word in ADJECTIVES}
    adjectives = [(word, entry[0]) for word, entry in known.items() if entry and abs(entry[0]) >= CLEAR_POLARITY]
    sides = {side: [word for word, polarity in adjectives if (polarity > 0) == (side > 0)] for side in (1, -1)}
    generator = random.Random(SEED)  # noqa: S311 - a reproducible sample, not a secret
    texts, labels = [], []
    for _ in range(count):
        (adjective, polarity), subject, other, (frame, turn) = (
            generator.choice(adjectives),
            generator.choice(SUBJECTS),
            generator.choice(SUBJECTS),
            generator.choice(FRAMES),
        )
        contrast = generator.choice(sides[-1 if polarity > 0 else 1])
        verdict = frame.format(
            S=subject[0].upper() + subject[1:], s=subject, t=other, a=adjective, A=adjective.capitalize(), b=contrast
        )
        label = "positive" if polarity * turn > 0 else "negative"
        parts = [verdict]
        if generator.random() < STORY_SHARE:
            parts.insert(0, generator.choice(STORIES))
        if generator.random() < CLOSING_SHARE:
            parts.append(generator.choice(CLOSINGS[label]))
        texts.append(" ".join(parts))
        labels.append(label)
    return LabelledRows(texts, labels, ["train"] * count)
