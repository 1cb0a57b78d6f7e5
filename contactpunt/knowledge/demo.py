"""The demo's knowledge base: help pages of the demo's greeting-card shop, loaded set-based (well under a second)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from contactpunt.knowledge.importing import load_published

_ROWS = [
    ("demo-bezorging", "Wanneer wordt mijn kaart bezorgd?", "Bezorging",
     "Bestelt u op een werkdag vóór 22.00 uur, dan gaat uw kaart dezelfde dag op de post. PostNL bezorgt hem "
     "meestal de volgende werkdag. Rond Valentijnsdag, Moederdag en de feestdagen kan de bezorging een dag "
     "langer duren. In Mijn Bestellingen ziet u wanneer uw kaart is verstuurd."),
    ("demo-bezorgdatum", "Kan ik een bezorgdatum kiezen?", "Bezorging",
     "Ja. Kies bij het afrekenen 'Later versturen' en geef de datum op waarop de kaart moet aankomen. Wij "
     "versturen hem dan een werkdag eerder. Een verjaardagskaart komt zo precies op tijd."),
    ("demo-niet-ontvangen", "Mijn kaart is niet aangekomen", "Bezorging",
     "Is uw kaart na drie werkdagen nog niet aangekomen? Controleer eerst het adres in Mijn Bestellingen. "
     "Klopt het adres, dan sturen wij kosteloos een nieuwe kaart. Meld dit via het contactformulier met uw "
     "bestelnummer."),
    ("demo-adres-wijzigen", "Adres wijzigen na het bestellen", "Bestellen",
     "Zolang de kaart nog niet is gedrukt, wijzigt u het adres zelf in Mijn Bestellingen. Staat de status al "
     "op 'Gedrukt', dan kan het adres niet meer worden gewijzigd."),
    ("demo-annuleren", "Bestelling annuleren", "Bestellen",
     "Een bestelling annuleert u in Mijn Bestellingen zolang hij nog niet is gedrukt. Het bedrag staat binnen "
     "vijf werkdagen weer op uw rekening."),
    ("demo-drukfout", "Er staat een fout op mijn kaart", "Bestellen",
     "Staat er een drukfout op de kaart die niet in uw ontwerp stond? Stuur een foto van de kaart via het "
     "contactformulier; wij drukken hem opnieuw zonder kosten."),
    ("demo-betalen", "Hoe kan ik betalen?", "Betalen",
     "U betaalt met iDEAL, creditcard, PayPal of achteraf met een factuur (alleen voor zakelijke klanten). "
     "Met een cadeaubon betaalt u het hele bedrag of een deel ervan."),
    ("demo-factuur", "Factuur downloaden", "Betalen",
     "Uw factuur staat als pdf bij elke bestelling in Mijn Bestellingen. Heeft u een zakelijk account, dan "
     "ontvangt u de factuur ook per e-mail."),
    ("demo-kortingscode", "Mijn kortingscode werkt niet", "Betalen",
     "Een kortingscode vult u in bij het afrekenen. Let op de geldigheidsdatum en de minimale besteding. Een "
     "code is één keer te gebruiken en niet te combineren met andere acties."),
    ("demo-wachtwoord", "Wachtwoord vergeten", "Mijn account",
     "Klik op de inlogpagina op 'Wachtwoord vergeten' en vul uw e-mailadres in. U ontvangt binnen vijf "
     "minuten een e-mail om uw wachtwoord te herstellen. Geen e-mail ontvangen? Kijk in uw map met ongewenste "
     "e-mail."),
    ("demo-account-verwijderen", "Account verwijderen", "Mijn account",
     "Wilt u uw account verwijderen? Dat doet u in Mijn Account onder 'Privacy'. Uw bestellingen van de "
     "laatste zeven jaar bewaren wij voor de belastingdienst."),
    ("demo-foto-kwaliteit", "Mijn foto is wazig op de kaart", "Ontwerpen",
     "Gebruik een foto van minimaal 1 MB. De editor waarschuwt met een geel driehoekje als de resolutie te "
     "laag is. Bekijk de video over foto's uploaden voor tips."),
    ("demo-valentijn", "Valentijnskaart op tijd versturen", "Feestdagen",
     "Wilt u dat uw Valentijnskaart op 14 februari aankomt? Bestel dan uiterlijk 12 februari vóór 22.00 uur. "
     "Kies 'Later versturen' als u vroeg bestelt."),
    ("demo-protocol-schade", "Protocol: vervangende kaart zonder kosten", "Intern",
     "Een klant die een kaart niet of beschadigd ontving, krijgt eenmalig een vervangende kaart zonder "
     "kosten. Controleer in de bestelling of er al eerder een vervanging is gedaan; bij een tweede keer "
     "overleg met de teamleider."),
]  # fmt: skip


def load_demo_articles(today: dt.date | None = None) -> int:
    """Add the demo's help pages (nothing when they are there already); returns how many were added. Each has a
    review date one to six months ahead, and two are overdue (their owners see them on the knowledge list)."""
    today = today or timezone.localdate()

    def review_by(number: int) -> str:
        overdue = number in (3, 9)
        return (today + dt.timedelta(days=-12 if overdue else 30 * (1 + number % 6))).isoformat()

    return load_published(
        [
            {
                "article_id": article_id,
                "title": title,
                "body": body,
                "language": "nl",
                "category": category if category != "Intern" else "Werkwijze",
                "audience": "internal" if category == "Intern" else "public",
                "review_by": review_by(number),
            }
            for number, (article_id, title, category, body) in enumerate(_ROWS)
        ]
    )
