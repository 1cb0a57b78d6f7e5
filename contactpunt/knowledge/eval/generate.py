"""Write the Dutch evaluation set: 300 customer-service articles over six domains and 200+ questions
that paraphrase them (with the id of the article that answers each), for MRR@5 and nDCG@10.

Run `python -m contactpunt.knowledge.eval.generate` to rewrite articles.csv and questions.csv beside this file;
the output is deterministic (a fixed seed). The texts are written for this project (no outside source).
Each domain has ten subjects and five intents (request, change, stop, costs, fault); the questions are
written as customers ask: other word forms, compounds, "je" instead of "u", missing diacritics and typos.
"""

# ruff: noqa: S311 - the seeded random only picks which paraphrase and which typo
from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 19


@dataclass(frozen=True)
class Subject:
    word: str  # singular, as in a title
    plural: str
    fact: str  # a sentence only this subject's articles carry
    compound: str = ""  # the joining form in compounds ("abonnements"); default the word


@dataclass(frozen=True)
class Domain:
    code: str
    name: str  # category
    portal: str  # "Mijn ..." environment
    subjects: tuple[Subject, ...]


DOMAINS = (
    Domain(
        "tel",
        "Telecom",
        "Mijn Belnet",
        (
            Subject(
                "simkaart", "simkaarten", "Een simkaart past in elke telefoon; een eSIM activeert u met een QR-code."
            ),
            Subject(
                "abonnement",
                "abonnementen",
                "Een abonnement loopt één of twee jaar en wordt daarna maandelijks opzegbaar.",
                "abonnements",
            ),
            Subject("databundel", "databundels", "Uw databundel bepaalt hoeveel mobiel internet u per maand gebruikt."),
            Subject(
                "router", "routers", "De router verbindt uw huis met internet; het lampje brandt groen als alles werkt."
            ),
            Subject(
                "telefoonnummer",
                "telefoonnummers",
                "Uw telefoonnummer kunt u meenemen naar een andere provider (nummerbehoud).",
            ),
            Subject("voicemail", "voicemails", "De voicemail neemt op als u niet binnen twintig seconden opneemt."),
            Subject(
                "tv-pakket", "tv-pakketten", "Een tv-pakket bevat zenders, programma's terugkijken en de tv-ontvanger."
            ),
            Subject(
                "wifi-wachtwoord",
                "wifi-wachtwoorden",
                "Het wifi-wachtwoord staat op de sticker aan de onderkant van het modem.",
            ),
            Subject(
                "glasvezelaansluiting",
                "glasvezelaansluitingen",
                "Een glasvezelaansluiting wordt door een monteur in de meterkast geïnstalleerd.",
            ),
            Subject(
                "roaming",
                "roamingtegoeden",
                "Met roaming belt en internet u in het buitenland; binnen de EU zonder extra kosten.",
            ),
        ),
    ),
    Domain(
        "ene",
        "Energie",
        "Mijn Stroomwijzer",
        (
            Subject(
                "termijnbedrag",
                "termijnbedragen",
                "Het termijnbedrag is wat u maandelijks vooruit betaalt voor stroom en gas.",
                "termijnbedrag",
            ),
            Subject(
                "jaarafrekening",
                "jaarafrekeningen",
                "De jaarafrekening vergelijkt uw termijnbedragen met uw werkelijke verbruik.",
            ),
            Subject("meterstand", "meterstanden", "Een meterstand geeft u door bij een verhuizing en eens per jaar."),
            Subject(
                "slimme meter",
                "slimme meters",
                "Een slimme meter stuurt uw verbruik automatisch door; de netbeheerder plaatst hem gratis.",
            ),
            Subject(
                "energiecontract",
                "energiecontracten",
                "Een energiecontract heeft een vaste of een variabele prijs per kWh en per m³ gas.",
            ),
            Subject(
                "zonnepaneel",
                "zonnepanelen",
                "Met zonnepanelen levert u stroom terug aan het net; dat verrekenen wij op uw jaarafrekening.",
            ),
            Subject(
                "verhuizing", "verhuizingen", "Bij een verhuizing neemt u uw energiecontract mee naar het nieuwe adres."
            ),
            Subject(
                "storingsmelding",
                "storingsmeldingen",
                "Bij een stroomstoring in de wijk belt u de netbeheerder, niet de leverancier.",
            ),
            Subject("warmtepomp", "warmtepompen", "Een warmtepomp verwarmt uw huis met stroom in plaats van gas."),
            Subject(
                "laadpaal",
                "laadpalen",
                "Een laadpaal aan huis laadt uw elektrische auto op met uw eigen stroomcontract.",
            ),
        ),
    ),
    Domain(
        "web",
        "Webwinkel",
        "Mijn Bestelling",
        (
            Subject("bestelling", "bestellingen", "Een bestelling vóór 22.00 uur wordt de volgende werkdag bezorgd."),
            Subject(
                "retourzending", "retourzendingen", "U heeft dertig dagen bedenktijd om een artikel terug te sturen."
            ),
            Subject(
                "bezorging",
                "bezorgingen",
                "De bezorger belt aan; bent u niet thuis, dan gaat het pakket naar een afhaalpunt.",
            ),
            Subject(
                "cadeaubon",
                "cadeaubonnen",
                "Een cadeaubon is twee jaar geldig en te besteden in de webwinkel en de winkels.",
            ),
            Subject(
                "factuur", "facturen", "De factuur staat als pdf bij uw bestelling en wordt ook per e-mail verstuurd."
            ),
            Subject(
                "klantaccount",
                "klantaccounts",
                "Met een klantaccount bewaart u uw adres, uw bestellingen en uw verlanglijst.",
            ),
            Subject(
                "wachtwoord",
                "wachtwoorden",
                "Uw wachtwoord heeft minimaal tien tekens, met een cijfer en een hoofdletter.",
            ),
            Subject(
                "garantie", "garanties", "Op elektronica geldt twee jaar garantie vanaf de aankoopdatum op de factuur."
            ),
            Subject("kortingscode", "kortingscodes", "Een kortingscode vult u in bij het afrekenen, vóór u betaalt."),
            Subject(
                "afterpay-betaling",
                "afterpay-betalingen",
                "Achteraf betalen kan tot 1.000 euro en binnen veertien dagen na ontvangst.",
            ),
        ),
    ),
    Domain(
        "gem",
        "Gemeente",
        "Mijn Gemeente",
        (
            Subject(
                "paspoort",
                "paspoorten",
                "Een paspoort is tien jaar geldig; u haalt het op met een afspraak aan de balie.",
            ),
            Subject("rijbewijs", "rijbewijzen", "Een rijbewijs verlengt u vanaf vier maanden voor de vervaldatum."),
            Subject(
                "parkeervergunning",
                "parkeervergunningen",
                "Een parkeervergunning geldt voor één kenteken in uw eigen wijk.",
            ),
            Subject("afvalpas", "afvalpassen", "Met de afvalpas opent u de ondergrondse container bij u in de straat."),
            Subject(
                "grofvuil",
                "grofvuilafspraken",
                "Grofvuil halen wij gratis op na een afspraak; zet het vóór 7.00 uur buiten.",
            ),
            Subject("verhuizing", "verhuizingen", "Een verhuizing geeft u binnen vijf dagen door aan de gemeente."),
            Subject(
                "uittreksel",
                "uittreksels",
                "Een uittreksel uit de basisregistratie personen vraagt u digitaal aan met DigiD.",
            ),
            Subject(
                "bouwvergunning",
                "bouwvergunningen",
                "Een bouwvergunning (omgevingsvergunning) vraagt u aan via het Omgevingsloket.",
            ),
            Subject(
                "gemeentelijke belasting",
                "gemeentelijke belastingen",
                "De aanslag gemeentelijke belastingen komt in februari en betaalt u in tien termijnen.",
            ),
            Subject(
                "kwijtschelding",
                "kwijtscheldingen",
                "Kwijtschelding kunt u krijgen als uw inkomen en vermogen laag zijn.",
            ),
        ),
    ),
    Domain(
        "vak",
        "Vakantiepark",
        "Mijn Verblijf",
        (
            Subject(
                "boeking",
                "boekingen",
                "Een boeking is definitief zodra u de aanbetaling van dertig procent heeft gedaan.",
            ),
            Subject(
                "annulering",
                "annuleringen",
                "Met een annuleringsverzekering krijgt u de reissom terug bij ziekte of overlijden.",
            ),
            Subject(
                "aankomsttijd", "aankomsttijden", "U kunt inchecken vanaf 15.00 uur; de sleutel ligt bij de receptie."
            ),
            Subject(
                "huisdier", "huisdieren", "Per vakantiehuis is één huisdier welkom in de huizen met het pootje-symbool."
            ),
            Subject("zwembad", "zwembaden", "Het subtropisch zwembad is dagelijks open van 9.00 tot 21.00 uur."),
            Subject(
                "beddengoed",
                "beddengoedpakketten",
                "Beddengoed en handdoeken huurt u bij; de bedden zijn bij aankomst opgemaakt.",
            ),
            Subject(
                "fietsverhuur",
                "fietsverhuren",
                "Fietsen en e-bikes huurt u per dag bij de fietsverhuur naast de receptie.",
            ),
            Subject(
                "eindschoonmaak",
                "eindschoonmaken",
                "De eindschoonmaak is bij de prijs inbegrepen; u laat het huis netjes achter.",
            ),
            Subject(
                "parkeerplaats",
                "parkeerplaatsen",
                "Bij elk huis hoort één parkeerplaats; extra auto's parkeren bij de ingang.",
            ),
            Subject(
                "klacht over het verblijf",
                "klachten over het verblijf",
                "Een klacht over het verblijf meldt u direct bij de receptie, dan lossen wij het ter plekke op.",
            ),
        ),
    ),
    Domain(
        "ban",
        "Bank",
        "Mijn Bankieren",
        (
            Subject(
                "betaalpas", "betaalpassen", "Een betaalpas blokkeert u direct in de app als hij gestolen of kwijt is."
            ),
            Subject(
                "creditcard",
                "creditcards",
                "Met een creditcard betaalt u wereldwijd; het bestedingslimiet staat in de app.",
            ),
            Subject(
                "spaarrekening",
                "spaarrekeningen",
                "Op een spaarrekening ontvangt u rente per maand; opnemen kan altijd kosteloos.",
            ),
            Subject(
                "overboeking",
                "overboekingen",
                "Een overboeking naar een andere bank staat binnen tien seconden op de rekening (instant).",
            ),
            Subject("pincode", "pincodes", "Uw pincode ontvangt u apart per post, nooit samen met de pas."),
            Subject(
                "hypotheek",
                "hypotheken",
                "Een hypotheek sluit u af met een adviseur; extra aflossen is tien procent per jaar boetevrij.",
            ),
            Subject("incasso", "incasso's", "Een automatische incasso stort u binnen acht weken kosteloos terug."),
            Subject("bankapp", "bankapps", "In de bankapp logt u in met vingerafdruk of een vijfcijferige code."),
            Subject(
                "phishing",
                "phishingberichten",
                "Wij vragen nooit om uw pincode of inlogcodes per e-mail, sms of telefoon.",
            ),
            Subject(
                "rekeningoverzicht",
                "rekeningoverzichten",
                "Een rekeningoverzicht downloadt u als pdf of csv over elke periode.",
            ),
        ),
    ),
)

#: intent code, title, body (uses {S} = subject, {Sp} = plural, {P} = portal, {F} = fact, {days}), the
#: compound noun customers glue to the subject, and the ways a customer asks it.
INTENTS = (
    (
        "aanvragen",
        "{S} aanvragen",
        "U vraagt een nieuwe {s} aan in {P}. Kies 'Aanvragen', controleer uw gegevens en bevestig. {F} "
        "Na uw aanvraag ontvangt u binnen {days} werkdagen een bevestiging per e-mail.",
        "aanvraag",
        (
            "hoe vraag ik een {s} aan",
            "ik wil graag een nieuwe {s} aanvragen",
            "{c}aanvraag doen",
            "waar kan je een {s} aanvragen",
            "nieuwe {s} nodig, hoe regel ik dat",
            "aanvragen van {sp}",
        ),
    ),
    (
        "wijzigen",
        "{S} wijzigen",
        "Wilt u uw {s} wijzigen? Dat doet u zelf in {P} onder 'Wijzigingen'. {F} "
        "Een wijziging gaat in binnen {days} werkdagen; u ziet de gewijzigde gegevens daarna direct.",
        "wijziging",
        (
            "kan ik mijn {s} wijzigen",
            "hoe wijzig je je {s}",
            "{c}wijziging doorgeven",
            "ik heb mijn {s} gewijzigd maar zie het niet",
            "gegevens van mijn {s} wijzigen",
            "wijzigingen in {sp}",
        ),
    ),
    (
        "opzeggen",
        "{S} opzeggen of stopzetten",
        "U kunt uw {s} opzeggen in {P} of met het opzegformulier. {F} "
        "Na de opzegging stopt alles binnen {days} dagen en ontvangt u een bevestiging van de beëindiging.",
        "opzegging",
        (
            "hoe zeg ik mijn {s} op",
            "{s} beeindigen",
            "{c}opzegging",
            "ik wil mijn {s} stopzetten",
            "opzeggen {s} kan dat online",
            "bevestiging van de opzegging van mijn {s}",
        ),
    ),
    (
        "kosten",
        "Wat kost {s}?",
        "De kosten van een {s} staan in het tarievenoverzicht in {P}. {F} "
        "Eenmalige kosten betaalt u bij de eerste factuur; daarna rekenen wij {days} euro per maand.",
        "kosten",
        (
            "wat kost een {s}",
            "hoeveel kost {s} per maand",
            "{c}kosten",
            "tarieven voor {sp}",
            "eenmalige kosten {s}",
            "prijs {s} tarievenoverzicht",
        ),
    ),
    (
        "storing",
        "{S} werkt niet: storing oplossen",
        "Werkt uw {s} niet? Meld een storing in {P} of bekijk eerst de storingspagina. {F} "
        "Controleer of alles goed is geïnstalleerd en probeer het na {days} minuten opnieuw.",
        "storing",
        (
            "mijn {s} doet het niet",
            "storing bij {s}",
            "{c}storing melden",
            "probleem met {s}, niet goed geinstalleerd",
            "{s} werkt nit meer",
            "storingen {sp} vandaag",
        ),
    ),
)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _typo(text: str, rng: random.Random) -> str:
    """Swap two neighbouring letters in one longer word (a typing slip)."""
    words = text.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 7 and w.isalpha()]
    if not long_words:
        return text
    i = rng.choice(long_words)
    word = words[i]
    j = rng.randrange(2, len(word) - 2)
    words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return " ".join(words)


def articles() -> list[dict[str, str]]:
    rows = []
    for domain in DOMAINS:
        for s_index, subject in enumerate(domain.subjects):
            for i_index, (code, title, body, _noun, _asks) in enumerate(INTENTS):
                values = {
                    "S": _capital(subject.word),
                    "s": subject.word,
                    "sp": subject.plural,
                    "P": domain.portal,
                    "F": subject.fact,
                    "days": str(2 + (s_index + i_index) % 9),
                }
                rows.append(
                    {
                        "article_id": f"{domain.code}-{s_index:02d}-{code}",
                        "title": title.format(**values),
                        "body": body.format(**values),
                        "language": "nl",
                        "category": domain.name,
                        "audience": "public",
                    }
                )
    return rows


def questions(count: int = 240) -> list[dict[str, str]]:
    """`count` questions, each about one (domain, subject, intent), with the answering article's id."""
    rng = random.Random(SEED)
    pairs = [
        (domain, s_index, i_index)
        for domain in DOMAINS
        for s_index in range(len(domain.subjects))
        for i_index in range(len(INTENTS))
    ]
    rng.shuffle(pairs)
    rows = []
    for number, (domain, s_index, i_index) in enumerate(pairs[:count]):
        subject = domain.subjects[s_index]
        code, _title, _body, _noun, asks = INTENTS[i_index]
        ask = asks[number % len(asks)]
        if "{c}" in ask and " " in subject.word:
            ask = asks[(number + 1) % len(asks)]
        text = ask.format(s=subject.word, sp=subject.plural, c=(subject.compound or subject.word).replace("-", ""))
        variant = "paraphrase"
        if number % 7 == 3:
            text, variant = _typo(text, rng), "typo"
        if number % 5 == 1:
            text = text.replace("u ", "je ", 1) if text.startswith("u ") else text
        if number % 3 == 0:
            text = _capital(text) + "?"
        rows.append(
            {
                "question_id": f"q{number + 1:03d}",
                "question": text,
                "article_id": f"{domain.code}-{s_index:02d}-{code}",
                "variant": "compound" if "{c}" in ask else variant,
            }
        )
    return rows


def main() -> None:
    for name, rows in (("articles.csv", articles()), ("questions.csv", questions())):
        with (HERE / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()
