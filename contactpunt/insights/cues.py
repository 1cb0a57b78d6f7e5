"""Whether a customer's message voices an opinion at all: the neutral rule on top of the sentiment model.

The shipped model (sentiment.py) learnt from film subtitles; on customer messages it reads politeness and
plain requests as feelings ("Met vriendelijke groet" comes out positive, "Hoe kan ik opzeggen?" negative).
Evaluative language decides first: a word or phrase of praise or complaint from the small Dutch and English
lists below, outside the fixed formulas of a letter (greeting, sign-off, "alvast bedankt"); a cue after a
negation ("niet tevreden", "not happy") counts the other way; when praise and complaint balance, the model
decides. A message without cues is neutral when it is a request (the customer asks for something), when it
holds a letter formula (which the model would read as feeling) or when the model is unsure (a neutral band
around a score of 0); a clear statement keeps the model's label. The lists are hand-written, general words
of customer service (not phrases of any one data set).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contactpunt.insights.sentiment import SentimentResult


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Formulas that say nothing about the customer's mood; removed before cues are looked for.
FORMULAS = (
    r"met vriendelijke groet(en)?",
    r"vriendelijke groet(en)?",
    r"hartelijke groet(en)?",
    r"met hartelijke groet(en)?",
    r"\bmvg\b",
    r"alvast (hartelijk )?bedankt( voor de moeite)?",
    r"bij voorbaat dank",
    r"fijne dag( nog)?",
    r"prettige dag( nog)?",
    r"thanks? (you )?in advance",
    r"(kind|best|warm) regards",
    r"have a (nice|good|great) day",
    r"(zou|zal|is) (het )?(erg |heel )?fijn (zijn|vinden) als",
    r"vriendelijk verzoek",
)
POSITIVE = _words(
    """
    bedankt dank dankjewel dankuwel bedank blij tevreden top super geweldig geweldige fantastisch fantastische
    perfect perfecte uitstekend uitstekende prachtig prachtige fijn fijne snel_geholpen vriendelijk
    vriendelijke behulpzaam behulpzame compliment complimenten waardering dankbaar heerlijk topservice klasse
    chapeau toppers kanjers aanrader tip-top prima mooi mooie keurig netjes vlot vlotte prettig prettige
    thanks thank grateful great excellent happy pleased satisfied love lovely wonderful amazing fantastic
    awesome helpful brilliant appreciate appreciated glad superb outstanding
    """
)
NEGATIVE = _words(
    """
    teleurgesteld teleurstellend teleurstelling boos kwaad woedend slecht slechte slechtste belachelijk
    schandalig schande waardeloos waardeloze verschrikkelijk vreselijk vreselijke ontevreden klacht kapot
    beschadigd irritant ergerlijk frustrerend gefrustreerd baal balen jammer onacceptabel onbeschoft
    onbeschofte niemand klaar_mee zeg_op vervelend vervelende onvriendelijk onvriendelijke traag defect
    te_laat zonde onduidelijk disappointed disappointing angry furious terrible awful horrible worst bad poor
    ridiculous unacceptable useless broken damaged complaint hate annoyed annoying frustrated frustrating rude
    nobody fed_up
    """
)
#: Phrases turned into one cue token before words are read.
PHRASES = (
    (r"\bklaar mee\b", "klaar_mee"),
    (r"\bzeg ik (mijn \w+ |het )?op\b", "zeg_op"),
    (r"\bsnel geholpen\b", "snel_geholpen"),
    (r"\bte laat\b", "te_laat"),
    (r"\bfed up\b", "fed_up"),
    (r"\bal (twee|drie|vier|vijf|\d+) keer\b", "klaar_mee"),
    (r"\b(tweede|derde|vierde|vijfde) keer\b", "klaar_mee"),
    (r"\b(second|third|fourth) time\b", "fed_up"),
    (r"n't\b", " not"),
)
NEGATIONS = _words(
    """
    niet geen nooit nergens niks niets not no never without zonder hardly nauwelijks
    """
)
#: What makes a message a request: a question, or asking for something. A request without cues is neutral.
REQUEST = re.compile(
    r"\?|\b(graag|ik wil|wil ik|kunt u|kun je|kunnen jullie|zou u|zou je|hoe kan ik|ik zou|"
    r"could you|can you|would you|i would like|i'd like|i want|please)\b"
)
#: A statement without cues takes the model's side only when its score is at least this far from 0.
CLEAR_SCORE = 0.4
#: A negation turns a cue around when it stands this many words before it ("ik ben er niet echt blij mee").
NEGATION_REACH = 3

_WORD = re.compile(r"[\w_-]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Cues:
    """The evaluative words found in a message: how many praise, how many complain."""

    positive: int
    negative: int
    has_formula: bool = False  # a letter formula was left out (the model reads those as feeling)

    @property
    def found(self) -> bool:
        return bool(self.positive or self.negative)


def find_cues(text: str) -> Cues:
    """Count the praise and complaint cues in `text`, letter formulas left out and negations applied."""
    lowered = text.lower()
    has_formula = False
    for formula in FORMULAS:
        lowered, found = re.subn(formula, " ", lowered)
        has_formula = has_formula or bool(found)
    for pattern, token in PHRASES:
        lowered = re.sub(pattern, f" {token} ", lowered)
    words = _WORD.findall(lowered)
    positive = negative = 0
    for index, word in enumerate(words):
        sign = 1 if word in POSITIVE else -1 if word in NEGATIVE else 0
        if not sign:
            continue
        if any(before in NEGATIONS for before in words[max(0, index - NEGATION_REACH) : index]):
            sign = -sign
        if sign > 0:
            positive += 1
        else:
            negative += 1
    return Cues(positive, negative, has_formula)


def customer_sentiment(text: str, model: SentimentResult) -> SentimentResult:
    """The sentiment of a customer's message. With evaluative cues: the side the cues take, or the model's
    side when praise and complaint balance. Without: neutral for a request (a question, "graag", "kunt u"), for
    a message with a letter formula (the model would read the formula's politeness) and for a statement the
    model is unsure of (|score| < CLEAR_SCORE); otherwise the model's label.
    The score stays the model's."""
    cues = find_cues(text)
    if not cues.found:
        if cues.has_formula or REQUEST.search(text.lower()) or abs(model.score) < CLEAR_SCORE:
            return SentimentResult("neutral", model.score)
        return model
    if cues.positive > cues.negative:
        return SentimentResult("positive", model.score)
    if cues.negative > cues.positive:
        return SentimentResult("negative", model.score)
    return SentimentResult("positive" if model.score >= 0 else "negative", model.score)
