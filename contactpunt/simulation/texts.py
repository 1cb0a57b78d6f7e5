"""Customer messages in Dutch and English that vary like real ones: many phrasings per topic, a tone,
names, order numbers and dates, built from parts so the same sentence rarely comes twice.

Deterministic for a given random generator: the same seed writes the same texts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

FIRST_NAMES = [
    "Anna",
    "Bram",
    "Chantal",
    "Daan",
    "Eva",
    "Fatima",
    "Gijs",
    "Hanna",
    "Ivo",
    "Julia",
    "Kees",
    "Lotte",
    "Mohamed",
    "Noor",
    "Omar",
    "Pien",
    "Ruben",
    "Sanne",
    "Tim",
    "Yara",
    "Sem",
    "Emma",
    "Liam",
    "Mila",
    "Noah",
    "Tess",
    "Lucas",
    "Saar",
    "Finn",
    "Zoë",
    "Levi",
    "Nora",
    "Jesse",
    "Lina",
    "Milan",
    "Sophie",
    "Thijs",
    "Amira",
    "Hamza",
    "Esra",
]
LAST_NAMES = [
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "El Amrani",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Dijk",
    "Yilmaz",
    "de Graaf",
    "van der Berg",
    "Kok",
    "Brouwer",
    "Dekker",
    "Wouters",
    "Hoekstra",
    "van Leeuwen",
    "Koster",
    "Prins",
    "Postma",
    "Kaya",
    "Boukhari",
]

# Per topic and language: phrasings with {order}, {date}, {product}, {amount} placeholders.
BODIES: dict[str, dict[str, tuple[str, ...]]] = {
    "order_status": {
        "nl": (
            "Ik heb op {date} bestelling {order} geplaatst en nog niets ontvangen.",
            "Waar blijft mijn bestelling {order}? De track & trace zegt al dagen hetzelfde.",
            "Kunt u zien wanneer order {order} wordt verzonden?",
            "Mijn bestelling ({order}) staat nog steeds op 'in behandeling'.",
        ),
        "en": (
            "I placed order {order} on {date} and have not received anything yet.",
            "Where is my order {order}? Tracking has not changed for days.",
            "Could you tell me when order {order} will ship?",
        ),
    },
    "delivery_late": {
        "nl": (
            "De {product} had gisteren binnen moeten zijn, maar er is niets bezorgd.",
            "Bestelling {order} is te laat, en het was voor een verjaardag.",
            "De bezorger is niet langs geweest terwijl ik de hele dag thuis was.",
            "Al een week wachten op {order}. Wat is er aan de hand?",
        ),
        "en": (
            "The {product} should have arrived yesterday but nothing came.",
            "Order {order} is late and it was meant for a birthday.",
            "The courier never showed up although I was home all day.",
        ),
    },
    "delivery_damaged": {
        "nl": (
            "De {product} kwam kapot aan, de doos was helemaal ingedeukt.",
            "In bestelling {order} zat een beschadigde {product}.",
            "Het pakket was nat en de {product} is niet meer te gebruiken.",
        ),
        "en": ("The {product} arrived broken, the box was crushed.", "Order {order} contained a damaged {product}."),
    },
    "wrong_address": {
        "nl": (
            "Ik heb een verkeerd huisnummer ingevuld bij {order}. Kan dat nog aangepast worden?",
            "Kunt u het afleveradres van bestelling {order} wijzigen?",
            "Het pakket is naar mijn oude adres gestuurd.",
        ),
        "en": ("I entered the wrong house number for {order}. Can it still be changed?",),
    },
    "cancel": {
        "nl": (
            "Ik wil bestelling {order} graag annuleren.",
            "Kan ik {order} nog tegenhouden? Ik heb per ongeluk twee keer besteld.",
            "Graag mijn bestelling van {date} annuleren en het bedrag terugstorten.",
        ),
        "en": ("I would like to cancel order {order}.", "Can I still stop {order}? I ordered twice by mistake."),
    },
    "invoice": {
        "nl": (
            "Op factuur {order} staat een bedrag van {amount}, dat klopt niet.",
            "Ik heb een factuur ontvangen voor iets dat ik al betaald heb.",
            "Kunt u de factuur van {date} opnieuw sturen met ons btw-nummer erop?",
            "Waarom is er {amount} extra in rekening gebracht?",
        ),
        "en": (
            "Invoice {order} shows {amount}, which is not right.",
            "Could you resend the invoice of {date} with our VAT number on it?",
        ),
    },
    "refund": {
        "nl": (
            "Ik wacht nog steeds op de terugbetaling van {amount}.",
            "De retour van {order} is al twee weken binnen, waar blijft mijn geld?",
            "Wanneer wordt {amount} teruggestort?",
        ),
        "en": ("I am still waiting for my refund of {amount}.", "When will the {amount} be refunded?"),
    },
    "payment_failed": {
        "nl": (
            "Mijn betaling met iDEAL mislukte, maar het geld is wel afgeschreven.",
            "Ik kan niet afrekenen, ik krijg steeds een foutmelding.",
            "Betaling voor {order} ging mis. Is de bestelling nu wel doorgegaan?",
        ),
        "en": (
            "My payment failed but the money was taken from my account.",
            "I cannot check out, I keep getting an error.",
        ),
    },
    "design": {
        "nl": (
            "Ik krijg mijn eigen foto niet goed op de {product}.",
            "Hoe kan ik de tekst op de binnenkant van de kaart aanpassen?",
            "Het ontwerp dat ik heb opgeslagen is verdwenen.",
        ),
        "en": ("I cannot get my own photo to fit on the {product}.", "My saved design has disappeared."),
    },
    "print_error": {
        "nl": (
            "Op de {product} staat een drukfout, de naam is verkeerd gespeld.",
            "De kleuren van de {product} zijn heel anders dan op het scherm.",
            "De tekst is half van de kaart afgedrukt.",
        ),
        "en": ("There is a printing error on the {product}.", "The colours of the {product} are very different."),
    },
    "login": {
        "nl": (
            "Ik kan niet inloggen, het wachtwoord herstellen werkt niet.",
            "Ik krijg geen mail om mijn wachtwoord te resetten.",
            "Mijn account is geblokkeerd na te veel pogingen.",
        ),
        "en": ("I cannot log in, the password reset does not work.", "My account is locked after too many attempts."),
    },
    "account_details": {
        "nl": ("Ik wil mijn e-mailadres wijzigen.", "Hoe verwijder ik mijn account?", "Graag mijn gegevens aanpassen."),
        "en": ("I would like to change my email address.", "How do I delete my account?"),
    },
    "outage": {
        "nl": (
            "Ik heb sinds vanochtend geen internet meer.",
            "Storing? Mijn tv en internet doen het allebei niet.",
            "Al uren geen verbinding, wanneer is dit opgelost?",
            "Is er een storing in mijn wijk? Niets werkt.",
        ),
        "en": (
            "I have had no internet since this morning.",
            "Is there an outage? Nothing works.",
            "No connection for hours.",
        ),
    },
    "subscription": {
        "nl": (
            "Ik wil mijn abonnement omzetten naar een goedkoper pakket.",
            "Mijn contract loopt af op {date}, wat zijn mijn opties?",
            "Kan ik mijn abonnement opzeggen?",
        ),
        "en": ("I want to switch to a cheaper plan.", "My contract ends on {date}, what are my options?"),
    },
    "technical": {
        "nl": (
            "De modem blijft steeds opnieuw opstarten.",
            "Mijn wifi is heel traag boven in huis.",
            "De nieuwe {product} krijg ik niet aan de praat.",
        ),
        "en": (
            "The modem keeps restarting.",
            "My wifi is very slow upstairs.",
            "I cannot get the new {product} to work.",
        ),
    },
    "booking": {
        "nl": (
            "Ik wil graag een huisje boeken van {date} voor vier personen.",
            "Kan ik reservering {order} nog een nacht verlengen?",
            "Is het park geschikt voor een rolstoel?",
            "We willen onze boeking {order} omzetten naar een ander park.",
        ),
        "en": (
            "I would like to book a cottage from {date} for four people.",
            "Can I extend booking {order} by a night?",
        ),
    },
    "stay": {
        "nl": (
            "In ons huisje werkt de verwarming niet.",
            "Het zwembad is dicht, daar stond niets over op de site.",
            "Ons huisje was bij aankomst niet schoon.",
            "De sleutel van {order} werkt niet.",
        ),
        "en": ("The heating in our cottage does not work.", "Our cottage was not clean when we arrived."),
    },
    "after_stay": {
        "nl": (
            "We hebben onze borg van {amount} nog niet terug.",
            "Ik ben mijn oplader vergeten in huisje {order}.",
            "Kan ik mijn spaarpunten van het verblijf nog laten bijschrijven?",
        ),
        "en": ("We have not had our deposit of {amount} back.", "I left my charger in cottage {order}."),
    },
    "b2b_order": {
        "nl": (
            "Namens onze winkel: order {order} is nog niet compleet geleverd.",
            "Kunnen jullie voor onze filiaal nog {amount} aan voorraad leveren vóór {date}?",
            "Wij missen drie dozen uit levering {order}.",
            "Graag een spoedlevering voor order {order}.",
        ),
        "en": (
            "On behalf of our store: order {order} was only partly delivered.",
            "We are missing three boxes of {order}.",
        ),
    },
    "b2b_invoice": {
        "nl": (
            "De creditnota voor {order} ontbreekt nog.",
            "Onze betalingstermijn is 60 dagen, op factuur {order} staat 14.",
            "Wij betwisten factuur {order} van {amount}.",
        ),
        "en": ("The credit note for {order} is still missing.", "We dispute invoice {order} of {amount}."),
    },
    "general": {
        "nl": ("Ik heb een vraag over {product}.", "Kunt u mij terugbellen?", "Ik heb nog een vraag over {order}."),
        "en": ("I have a question about {product}.", "Could you call me back?"),
    },
}

GREETINGS = {
    "nl": ("Hallo,", "Goedemiddag,", "Beste klantenservice,", "Hoi,", "Goedemorgen,", "Geachte heer/mevrouw,", ""),
    "en": ("Hello,", "Hi,", "Dear customer service,", "Good afternoon,", ""),
}
TONES: dict[str, dict[str, tuple[str, ...]]] = {
    "positive": {
        "nl": ("Verder ben ik altijd heel tevreden over jullie!", "Alvast bedankt voor de moeite.", "Fijne dag nog!"),
        "en": ("Otherwise I am always very happy with you!", "Thanks in advance.", "Have a nice day!"),
    },
    "neutral": {
        "nl": ("Graag hoor ik van u.", "Kunt u hiernaar kijken?", "Wat is de volgende stap?", ""),
        "en": ("I look forward to hearing from you.", "Could you look into this?", ""),
    },
    "negative": {
        "nl": (
            "Dit is al de tweede keer, ik ben er echt klaar mee.",
            "Erg teleurgesteld, zo ga je niet met klanten om.",
            "Als dit niet snel opgelost is, zeg ik op.",
            "Ik heb al drie keer gebeld en niemand helpt me!",
        ),
        "en": ("This is the second time, I am really fed up.", "Very disappointed, this is no way to treat customers."),
    },
}
SIGN_OFFS = {
    "nl": ("Groet,", "Met vriendelijke groet,", "Groetjes,", "Mvg,", ""),
    "en": ("Regards,", "Best,", "Cheers,", ""),
}
PRODUCTS = {
    "nl": ("kaart", "verjaardagskaart", "fotoboek", "mok", "poster", "cadeaubon", "modem", "tv-ontvanger", "ballon"),
    "en": ("card", "birthday card", "photo book", "mug", "poster", "gift card", "modem", "set-top box", "balloon"),
}
#: E-mail subjects as customers write them (a first message: no "Re:"; an order number says what it is). Six
#: Dutch and five English, as before: the same number of choices keeps every seeded simulation's draws.
SUBJECTS = {
    "nl": (
        "Vraag over bestelling {order}",
        "{topic}",
        "Mijn bestelling {order}",
        "Dringend: {topic}",
        "Vraag over {topic_lower}",
        "{topic} (bestelling {order})",
    ),
    "en": (
        "Question about order {order}",
        "{topic}",
        "Urgent: {topic}",
        "Help with order {order}",
        "{topic} (order {order})",
    ),
}


@dataclass(frozen=True, slots=True)
class Written:
    """A message as a customer wrote it."""

    subject: str
    text: str
    tone: str


def person_name(rng: random.Random) -> str:
    """Return a Dutch-looking full name."""
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def write_message(
    rng: random.Random, *, topic: str, topic_name: str, language: str, name: str, channel: str, negative_bias: float = 0
) -> Written:
    """Write one message on `topic` in `language` ("nl" or "en") signed by `name`.

    Short channels (chat, social, WhatsApp, phone notes) drop the greeting and sign-off most of the
    time. `negative_bias` (0..1) makes the negative tone more likely (a repeat contact, a long wait).
    """
    language = "en" if language == "en" else "nl"
    bodies = BODIES.get(topic, BODIES["general"])[language]
    roll = rng.random()
    tone = "negative" if roll < 0.18 + 0.5 * negative_bias else "positive" if roll > 0.85 else "neutral"
    order = f"{rng.choice('ABCKW')}{rng.randrange(100_000, 999_999)}"
    day = f"{rng.randrange(1, 29)}-{rng.randrange(1, 13)}"
    fill = {
        "order": order,
        "date": day,
        "product": rng.choice(PRODUCTS[language]),
        "amount": f"€ {rng.randrange(4, 400)},{rng.randrange(0, 100):02d}",
    }
    body = rng.choice(bodies).format(**fill)
    if rng.random() < 0.3:
        body += " " + rng.choice(bodies).format(**fill)
    closing = rng.choice(TONES[tone][language])
    short = channel in ("chat", "social", "whatsapp", "phone") and rng.random() < 0.7
    first = name.split(maxsplit=1)[0]
    parts = (
        [body, closing] if short else [rng.choice(GREETINGS[language]), body, closing, rng.choice(SIGN_OFFS[language])]
    )
    if not short:
        parts.append(first if rng.random() < 0.6 else name)
    text = "\n".join(p for p in parts if p)
    if short and rng.random() < 0.3:
        text = text.lower()
    subject = rng.choice(SUBJECTS[language]).format(order=order, topic=topic_name, topic_lower=topic_name.lower())
    return Written(subject=subject, text=text, tone=tone)
