"""The demo's response templates: what a greeting-card shop's team leads write for their agents (Dutch, with
English versions of the most used ones), made through the template services like a team lead would. The Dutch
ones use the Dutch variable names ({voornaam}), the English ones the English names ({first_name})."""

from __future__ import annotations

from dataclasses import dataclass

from contactpunt.contacts.models import Channel, ContactReason, TemplateLanguage
from contactpunt.contacts.services.templates import TemplateFields, create_template
from contactpunt.people.models import User


@dataclass(frozen=True, slots=True)
class DemoTemplate:
    name: str
    text: str
    reason: str = ""  # a contact reason's code of the greeting-card scenario; "" for any reason
    channel: str = ""
    language: str = TemplateLanguage.DUTCH


EN = TemplateLanguage.ENGLISH

TEMPLATES = (
    DemoTemplate(
        "Bedankt voor je bericht",
        "Hoi {voornaam},\n\nBedankt voor je bericht. We hebben je vraag goed ontvangen onder nummer {zaakkenmerk} "
        "en komen er vandaag nog bij je op terug.\n\nHartelijke groet,\n{medewerker_voornaam} van Kaartenhuis",
    ),
    DemoTemplate(
        "Bedankt voor je bericht",
        "Hi {first_name},\n\nThank you for your message. We received your question as {case_token} and will get "
        "back to you today.\n\nKind regards,\n{agent_first_name} at Kaartenhuis",
        language=EN,
    ),
    DemoTemplate(
        "Bestelling onderweg",
        "Hoi {voornaam},\n\nGoed nieuws: je bestelling is onderweg. Je ontvangt van PostNL een e-mail met de "
        "track-and-tracecode, zodat je precies ziet wanneer je kaarten bezorgd worden. Kaarten die op werkdagen vóór "
        "22.00 uur besteld zijn, liggen meestal de volgende dag in de bus.\n\nHartelijke groet,\n{medewerker_voornaam}",
        reason="bestelling-status",
    ),
    DemoTemplate(
        "Bestelling onderweg",
        "Hi {first_name},\n\nGood news: your order is on its way. PostNL will e-mail you the tracking code so you "
        "can see exactly when your cards arrive. Cards ordered on a working day before 10 pm usually arrive the "
        "next day.\n\nKind regards,\n{agent_first_name}",
        reason="bestelling-status",
        language=EN,
    ),
    DemoTemplate(
        "Bestelling geannuleerd",
        "Hoi {voornaam},\n\nJe bestelling is geannuleerd; er gaat niets naar de drukker. Heb je al betaald, dan "
        "staat het bedrag binnen vijf werkdagen weer op je rekening.\n\nGroet,\n{medewerker_voornaam}",
        reason="bestelling-annuleren",
    ),
    DemoTemplate(
        "Annuleren niet meer mogelijk",
        "Hoi {voornaam},\n\nHelaas is je bestelling al gedrukt en kunnen we haar niet meer annuleren. Klopt er "
        "iets niet aan de kaarten als ze aankomen? Laat het ons weten onder {zaakkenmerk}, dan zoeken we samen een "
        "oplossing.\n\nGroet,\n{medewerker_voornaam}",
        reason="bestelling-annuleren",
    ),
    DemoTemplate(
        "Vertraging bij de bezorging",
        "Hoi {voornaam},\n\nSorry dat je kaarten nog niet binnen zijn. Door de drukte rond de feestdagen doet "
        "PostNL er nu soms een dag langer over. Zijn ze over twee werkdagen nog niet bezorgd, dan sturen we ze "
        "kosteloos opnieuw. Je hoeft daarvoor alleen op dit bericht te reageren.\n\nGroet,\n{medewerker_voornaam}",
        reason="levering-vertraagd",
    ),
    DemoTemplate(
        "Vertraging bij de bezorging",
        "Hi {first_name},\n\nSorry your cards have not arrived yet. Around the holidays PostNL sometimes needs an "
        "extra day. If they have not been delivered within two working days, we will send them again free of "
        "charge: just reply to this message.\n\nKind regards,\n{agent_first_name}",
        reason="levering-vertraagd",
        language=EN,
    ),
    DemoTemplate(
        "Beschadigd bezorgd: opnieuw versturen",
        "Hoi {voornaam},\n\nWat vervelend dat je bestelling beschadigd is aangekomen. We drukken haar opnieuw en "
        "versturen haar kosteloos; je hoeft niets terug te sturen. Een foto van de schade helpt ons wel om de "
        "verpakking te verbeteren.\n\nGroet,\n{medewerker_voornaam}",
        reason="levering-beschadigd",
    ),
    DemoTemplate(
        "Adres aanpassen",
        "Hoi {voornaam},\n\nIk heb het bezorgadres van je bestelling aangepast. Is de bestelling al bij PostNL, "
        "dan kun je de bezorging ook zelf omleiden via de link in de track-and-trace-mail.\n\nGroet,\n"
        "{medewerker_voornaam}",
        reason="levering-adres",
    ),
    DemoTemplate(
        "Hulp bij het ontwerp",
        "Hoi {voornaam},\n\nIn de ontwerper kun je een eigen foto toevoegen via 'Foto toevoegen' en de tekst "
        "aanpassen door erop te klikken. Lukt het niet? Stuur ons de foto en de tekst, dan zetten we het ontwerp "
        "voor je klaar in je account.\n\nGroet,\n{medewerker_voornaam}",
        reason="product-ontwerp",
    ),
    DemoTemplate(
        "Drukfout: gratis herdruk",
        "Hoi {voornaam},\n\nExcuses voor de drukfout. We drukken je kaarten gratis opnieuw, met spoed, zodat ze "
        "nog op tijd zijn. Je krijgt een bevestiging zodra ze verstuurd zijn.\n\nGroet,\n{medewerker_voornaam}",
        reason="product-drukfout",
    ),
    DemoTemplate(
        "Wachtwoord vergeten",
        "Hoi {voornaam},\n\nVia 'Wachtwoord vergeten' op de inlogpagina stuur je jezelf een nieuwe link. Die is "
        "een uur geldig; kijk ook even in je map met ongewenste e-mail.\n\nGroet,\n{medewerker_voornaam}",
        reason="account-inloggen",
    ),
    DemoTemplate(
        "Wachtwoord vergeten",
        "Hi {first_name},\n\nUse 'Forgot password' on the sign-in page to send yourself a new link. It is valid for "
        "one hour; please also check your spam folder.\n\nKind regards,\n{agent_first_name}",
        reason="account-inloggen",
        language=EN,
    ),
    DemoTemplate(
        "Gegevens gewijzigd",
        "Hoi {voornaam},\n\nJe gegevens zijn aangepast. Je ziet de wijziging direct in je account onder "
        "'Mijn gegevens'.\n\nGroet,\n{medewerker_voornaam}",
        reason="account-gegevens",
    ),
    DemoTemplate(
        "Betaling mislukt",
        "Hoi {voornaam},\n\nJe betaling is niet gelukt, dus er is niets afgeschreven. Je bestelling staat nog in je "
        "account: via 'Opnieuw betalen' kun je met iDEAL of een creditcard afrekenen.\n\nGroet,\n{medewerker_voornaam}",
        reason="betaling-mislukt",
    ),
    DemoTemplate(
        "Storing betaalpagina",
        "Hoi {voornaam},\n\nEr is op dit moment een storing bij het betalen. We werken aan een oplossing; je "
        "winkelmandje blijft bewaard. Probeer het over een uur nog eens.\n\nExcuses voor het ongemak,\n"
        "{medewerker_voornaam}",
        reason="betaling-storing",
    ),
    DemoTemplate(
        "Factuur opnieuw sturen",
        "Hoi {voornaam},\n\nIn de bijlage vind je de factuur van je bestelling. Heb je een factuur op "
        "bedrijfsnaam nodig? Laat het ons weten, dan passen we haar aan.\n\nGroet,\n{medewerker_voornaam}",
        reason="betaling-factuur",
        channel=Channel.EMAIL,
    ),
    DemoTemplate(
        "Terugbetaling in gang gezet",
        "Hoi {voornaam},\n\nWe hebben je terugbetaling in gang gezet. Het bedrag staat binnen vijf werkdagen op "
        "je rekening. Ons kenmerk is {zaakkenmerk}.\n\nGroet,\n{medewerker_voornaam}",
        reason="betaling-terugbetaling",
    ),
    DemoTemplate(
        "Terugbetaling in gang gezet",
        "Hi {first_name},\n\nWe have started your refund. The amount will be back in your account within five "
        "working days. Our reference is {case_token}.\n\nKind regards,\n{agent_first_name}",
        reason="betaling-terugbetaling",
        language=EN,
    ),
    DemoTemplate(
        "Retour aanmelden",
        "Hoi {voornaam},\n\nPersoonlijke kaarten kunnen we niet terugnemen, cadeaus wel: binnen 14 dagen na "
        "ontvangst. Meld je retour aan in je account onder 'Retourneren'; je krijgt dan een gratis retourlabel. "
        "Na ontvangst betalen we het bedrag binnen vijf werkdagen terug.\n\nGroet,\n{medewerker_voornaam}",
    ),
    DemoTemplate(
        "Even naar een privébericht",
        "Hoi {voornaam}, vervelend om te lezen! We helpen je graag verder. Stuur je ons een privébericht met je "
        "ordernummer? Dan zoeken we het meteen uit. ^{medewerker_voornaam}",
        channel=Channel.SOCIAL,
    ),
    DemoTemplate(
        "Nog iets anders?",
        "Kan ik je verder nog ergens mee helpen, {voornaam}?",
        channel=Channel.CHAT,
    ),
    DemoTemplate(
        "Later antwoord (WhatsApp)",
        "Hoi {voornaam}, dank je voor je bericht! Het is even druk; een collega kijkt er zo snel mogelijk naar en "
        "reageert hier in WhatsApp. Groet, team Kaartenhuis",
        channel=Channel.WHATSAPP,
    ),
)


def create_demo_templates(*, by: User) -> int:
    """Create the demo's response templates as `by` (a team lead); a template whose contact reason the
    organisation lacks is for any reason. Return how many were made."""
    reasons = {reason.code: reason for reason in ContactReason.objects.filter(code__in={t.reason for t in TEMPLATES})}
    for template in TEMPLATES:
        fields = TemplateFields(
            name=template.name,
            language=template.language,
            text=template.text,
            channel=template.channel,
            reason=reasons.get(template.reason),
        )
        create_template(by=by, fields=fields)
    return len(TEMPLATES)
