"""Sentiment lexicons for Dutch and English: the polarity a message's opinion words carry, offline.

The lexicons are Pattern's subjectivity lexicons (Tom De Smedt and Walter Daelemans, CLiPS, public
domain under the PDDL), turned into small TSV files by :func:`convert_pattern_xml` (the steps and
the sources' checksums are in ``weights/PROVENANCE.md``). A message's lexicon score follows
Pattern's reading: the mean polarity of the known words, where a preceding intensifier multiplies
("erg goed", "really good"), a negation halves and turns it ("niet goed" is a little bad), and an
exclamation mark strengthens it. Dutch attributive forms ("slechte", "grote", "snelle", "lieve")
are read as their base adjective.

Pattern's lexicons hold adjectives; Dutch reviews of a service also speak in nouns and participles
("klacht", "storing", "opgelost", "opgelicht"). ``lexicon_nl_service.tsv`` adds 95 such words, written
for this project (a word Pattern has keeps Pattern's reading); in Dutch "zonder" negates ("zonder
gedoe") and a negation reaches over one word ("niet meteen opgelost"), except "alleen" ("niet alleen
snel").

The lexicon is the simple baseline a sentiment model must beat, and one of the signals the shipped
model combines with the sentence encoder (``sentiment.py``): the encoder knows context and many
languages, the lexicon knows the opinion words of reviews and service messages.
"""

from __future__ import annotations

import math
import re
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import numpy.typing as npt

WEIGHTS = Path(__file__).resolve().parent / "weights"
TOKEN = re.compile("[^\\W\\d_]+(?:[-'\u2019][^\\W\\d_]+)*|n't|!+|[.?](?=\\s|$)")
SHORT_WORD = 2  # words this short (a, de, is) keep a pending negation or intensifier alive
EXCLAMATION_BOOST = 1.25
NEGATED_FACTOR = -0.5  # "niet goed": a little bad; "niet slecht": a little good
VOWELS = "aeiou"
# Dutch: how many longer words a negation reaches over ("niet meteen opgelost", "geen enkele klacht").
NEGATION_REACH = 1
BEFORE_CONTRAST, AFTER_CONTRAST = 0.5, 1.5  # VADER's weights around "but" (Hutto & Gilbert 2014), not tuned


@dataclass(frozen=True, slots=True)
class LexiconScore:
    """A text's mean lexicon polarity in [-1, 1] and how many opinion words it was read from."""

    polarity: float
    words: int


@dataclass(frozen=True)
class Lexicon:
    """Opinion words of one language: ``word -> (polarity, intensity, may intensify the next word)``."""

    language: str
    words: dict[str, tuple[float, float, bool]]
    negations: frozenset[str]
    intensifier_suffixes: tuple[str, ...]
    attributive: bool  # Dutch: adjectives take -e before a noun ("een slechte service")
    contrasts: frozenset[str] = frozenset()  # "maar", "but": the clause after it weighs more
    homographs: frozenset[str] = frozenset()  # "naar" (to; nasty): an opinion word only where licensed
    degree_words: frozenset[str] = frozenset()  # "te laat", "zo naar": license a homograph after them
    conjunctions: frozenset[str] = frozenset()  # "goed en snel": a short word that ends an intensifier
    negation_reach: int = 0  # longer words a negation reaches over ("niet meteen opgelost"); short ones always
    negation_breakers: frozenset[str] = frozenset()  # "niet alleen ... maar ook": the negation ends here
    supplement: frozenset[str] = frozenset()  # forms of a supplementary word list (not Pattern's)

    def lookup(self, word: str) -> tuple[float, float, bool] | None:
        """The entry for ``word``, reading a Dutch attributive form as its base adjective."""
        found = self.lookup_form(word)
        return None if found is None else found[1]

    def lookup_form(self, word: str) -> tuple[str, tuple[float, float, bool]] | None:
        """The lexicon form ``word`` is read as (itself or its base adjective) and its entry."""
        entry = self.words.get(word)
        if entry is not None or not self.attributive:
            return None if entry is None else (word, entry)
        for base in dutch_base_forms(word):
            entry = self.words.get(base)
            if entry is not None:
                return base, entry
        return None

    def _entries(self, tokens: list[str]) -> list[tuple[float, float, bool] | None]:
        """Each token's entry, None for a homograph in a place where it is not the opinion word.

        A homograph (its form or the base it is read as) is an opinion word after a degree word ("te
        laat", "zo naar") or before the end of a sentence ("het doet zeer."); anywhere else it is the
        common word ("naar huis", "waar is", "laat weten", "de laatste"), except that one which can
        intensify still does so right before an opinion word ("zeer tevreden", "erg traag").
        """
        found = [self.lookup_form(token) for token in tokens]
        entries: list[tuple[float, float, bool] | None] = []
        for index, (token, hit) in enumerate(zip(tokens, found, strict=True)):
            if hit is None or (token not in self.homographs and hit[0] not in self.homographs):
                entries.append(None if hit is None else hit[1])
                continue
            before = tokens[index - 1] if index else ""
            after = tokens[index + 1] if index + 1 < len(tokens) else "."
            licensed = before in self.degree_words or after in (".", "?") or after.startswith("!")
            intensifying = hit[1][2] and index + 1 < len(tokens) and found[index + 1] is not None
            entries.append(hit[1] if licensed or intensifying else None)
        return entries

    def score(self, text: str) -> LexiconScore:
        """Return the mean polarity of ``text``'s opinion words (0.0 and 0 words when it has none)."""
        readings: list[list[float]] = []  # [polarity, intensity, negated (0/1), weight] per opinion word
        intensifier: str | None = None
        negated, reach = False, 0
        sentence_start, after_contrast = 0, False
        tokens = TOKEN.findall(text.lower())
        for token, entry in zip(tokens, self._entries(tokens), strict=True):
            if token in (".", "?"):  # a sentence ends, and with it a negation or intensifier ("... niet. Schandalig.")
                sentence_start, after_contrast = len(readings), False
                intensifier, negated = None, False
                continue
            if token in self.contrasts:
                # "goed, maar traag": the clause after the contrast is the verdict (VADER's rule and factors).
                for reading in readings[sentence_start:]:
                    reading[3] *= BEFORE_CONTRAST
                after_contrast = True
                intensifier, negated = None, False
                continue
            if token.startswith("!"):
                if readings:
                    readings[-1][0] = _clip(readings[-1][0] * EXCLAMATION_BOOST)
                sentence_start, after_contrast = len(readings), False
                intensifier, negated = None, False
                continue
            if entry is None:
                if token in self.negations:
                    negated, reach = True, 0
                elif negated and token in self.negation_breakers:
                    negated = False
                elif negated and len(token) > SHORT_WORD:
                    reach += 1
                    negated = reach <= self.negation_reach
                if negated and intensifier is not None and intensifier.endswith(self.intensifier_suffixes):
                    readings[-1][2] = 1.0  # "really not good": the negation belongs to the reading before
                    negated = False
                elif intensifier is not None and (len(token) > SHORT_WORD or token in self.conjunctions):
                    intensifier = None
                continue
            polarity, intensity, intensifies = entry
            if intensifier is None:
                readings.append([polarity, intensity, 0.0, AFTER_CONTRAST if after_contrast else 1.0])
            else:  # "erg goed": the intensifier's strength times this word's polarity, as one reading
                readings[-1][0] = _clip(polarity * readings[-1][1])
                readings[-1][1] = intensity
            if negated:
                readings[-1][1] = 1.0 / readings[-1][1]
                readings[-1][2] = 1.0
            intensifier = token if intensifies else None
            negated, reach = token in self.negations, 0
        if not readings:
            return LexiconScore(0.0, 0)
        values = [(polarity * NEGATED_FACTOR if flag else polarity) * weight for polarity, _, flag, weight in readings]
        return LexiconScore(sum(values) / sum(reading[3] for reading in readings), len(values))


def dutch_base_forms(word: str) -> list[str]:
    """Candidate base adjectives of an inflected Dutch adjective, likeliest first.

    Attributive -e (slechte, snelle, grote, lieve, boze), comparative -er (sneller, groter) and
    superlative -st(e) (slechtste, grootste): the ending is taken off and the spelling undone
    (a doubled consonant, v/z for f/s, a long vowel written once in an open syllable).
    """
    candidates: list[str] = []
    for ending in ("ste", "st", "ere", "er", "e"):
        # Shorter stems are no adjectives; a bare -st needs four letters before it (moest, kost are verbs).
        if word.endswith(ending) and len(word) - len(ending) >= (4 if ending == "st" else 3):
            candidates += _undo_spelling(word[: -len(ending)], open_syllable=ending not in ("st",))
    return candidates


def _undo_spelling(stem: str, *, open_syllable: bool) -> list[str]:
    """The stem itself and the base forms its spelling may stand for."""
    forms = [stem]
    if stem[-1] == stem[-2] and stem[-1] not in VOWELS:
        forms.append(stem[:-1])  # snell(e) -> snel
    if stem[-1] in "vz":
        forms.append(stem[:-1] + ("f" if stem[-1] == "v" else "s"))  # liev(e) -> lief, viez(e) -> vies
    if open_syllable and stem[-2] in VOWELS and stem[-3] not in VOWELS:
        long_vowel = stem[:-1] + stem[-2] + stem[-1]  # grot(e) -> groot, trag(e) -> traag
        forms.append(long_vowel)
        if long_vowel[-1] in "vz":
            forms.append(long_vowel[:-1] + ("f" if long_vowel[-1] == "v" else "s"))  # boz(e) -> boos
    return forms


def _clip(value: float) -> float:
    return max(-1.0, min(value, 1.0))


def _read_senses(path: Path) -> dict[str, list[tuple[str, float, float]]]:
    """Each form's senses (part of speech, polarity, intensity) in a lexicon TSV."""
    senses: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            form, pos, polarity_text, intensity_text = line.rstrip("\n").split("\t")
            senses[form.lower()].append((pos, float(polarity_text), float(intensity_text)))
    return senses


def read_lexicon(path: Path, *, language: str, supplements: Sequence[Path] = ()) -> Lexicon:
    """Read a lexicon TSV written by :func:`convert_pattern_xml` (``form, pos, polarity, intensity``).

    ``supplements`` are TSV files of the same form whose words the main lexicon lacks (a form the main
    lexicon has keeps its own reading).
    """
    senses = _read_senses(path)
    added: set[str] = set()
    for supplement in supplements:
        for form, readings in _read_senses(supplement).items():
            if form not in senses or form in added:
                senses[form].extend(readings)
                added.add(form)
    rules = LANGUAGE_RULES[language]
    words: dict[str, tuple[float, float, bool]] = {}
    for form, readings in senses.items():
        polarity = sum(reading[1] for reading in readings) / len(readings)
        intensity = sum(reading[2] for reading in readings) / len(readings)
        intensifies = any(reading[0] in rules.intensifier_tags for reading in readings)
        words[form] = (polarity, intensity, intensifies)
    return Lexicon(
        language,
        words,
        rules.negations,
        rules.intensifier_suffixes,
        rules.attributive,
        rules.contrasts,
        rules.homographs,
        rules.degree_words,
        rules.conjunctions,
        rules.negation_reach,
        rules.negation_breakers,
        frozenset(added),
    )


@dataclass(frozen=True)
class LanguageRules:
    """How a language marks negation and intensifiers (Pattern's settings for it)."""

    negations: frozenset[str]
    intensifier_tags: tuple[str, ...]
    intensifier_suffixes: tuple[str, ...]
    attributive: bool
    contrasts: frozenset[str]
    homographs: frozenset[str] = frozenset()
    degree_words: frozenset[str] = frozenset()
    conjunctions: frozenset[str] = frozenset()
    negation_reach: int = 0
    negation_breakers: frozenset[str] = frozenset()
    supplements: tuple[str, ...] = ()


LANGUAGE_RULES = {
    # Dutch intensifies with adverbially used adjectives: "erg goed", "heel vriendelijk", "ontzettend traag".
    "nl": LanguageRules(
        frozenset({"geen", "niet", "nooit", "niks", "niets", "zonder"}),
        ("JJ", "RB"),
        ("ig", "isch", "lijk"),
        True,
        frozenset({"maar"}),
        # Pattern's adjectives that running Dutch mostly uses as another word, the most frequent opinion-word
        # hits of the Dutch subtitle lines: naar (to), waar (where), laat (lets), net (just), eens (once),
        # zat (sat), vroeg (asked), gemaakt (made), enig(e) (some, only), wild(e) (wanted), laatste (last),
        # heel (whole), echt (real), and the intensifiers zeer and erg (sore, bad) standing alone.
        frozenset({"naar", "waar", "laat", "net", "eens", "zat", "vroeg", "gemaakt", "enig", "wild"})
        | frozenset({"heel", "echt", "zeer", "erg"}),
        frozenset({"te", "zo", "heel", "erg", "zeer", "echt", "nogal", "vrij", "best", "wat", "behoorlijk"})
        | frozenset({"ontzettend", "enorm", "super", "veel", "hartstikke", "best", "redelijk", "knap"}),
        frozenset({"en", "of"}),
        NEGATION_REACH,
        frozenset({"alleen"}),
        ("lexicon_nl_service.tsv",),
    ),
    "en": LanguageRules(frozenset({"no", "not", "n't", "never"}), ("RB",), ("ly",), False, frozenset({"but"})),
}

_lexicons: dict[str, Lexicon] = {}
_lock = threading.Lock()


def get_lexicon(language: str) -> Lexicon | None:
    """The shipped lexicon for ``nl`` or ``en`` (loaded once per process); None for other languages."""
    if language not in LANGUAGE_RULES:
        return None
    with _lock:
        if language not in _lexicons:
            rules = LANGUAGE_RULES[language]
            _lexicons[language] = read_lexicon(
                WEIGHTS / f"lexicon_{language}.tsv",
                language=language,
                supplements=[WEIGHTS / name for name in rules.supplements],
            )
        return _lexicons[language]


def lexicon_features(texts: Sequence[str], languages: Sequence[str]) -> npt.NDArray[np.float32]:
    """Per text: its lexicon polarity and that polarity weighted by the evidence, ``p * log(1 + words)``.

    A text in a language without a lexicon gets zeros: the model then reads it by the encoder alone.
    """
    features = np.zeros((len(texts), 2), dtype=np.float32)
    for row, (text, language) in enumerate(zip(texts, languages, strict=True)):
        lexicon = get_lexicon(language)
        if lexicon is None:
            continue
        score = lexicon.score(text)
        features[row] = (score.polarity, score.polarity * math.log1p(score.words))
    return features


def convert_pattern_xml(source: Path, target: Path) -> int:
    """Write Pattern's sentiment XML as a lexicon TSV (senses averaged per form and part of speech).

    Returns the number of (form, part of speech) rows written. This is how ``weights/lexicon_*.tsv``
    were made (see ``weights/PROVENANCE.md``).
    """
    senses: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for word in ElementTree.parse(source).getroot().iter("word"):  # noqa: S314 - a known, checksummed file
        form = word.get("form")
        if form:
            polarity, intensity = float(word.get("polarity", "0")), float(word.get("intensity", "1"))
            senses[(form, word.get("pos") or "")].append((polarity, intensity))
    with target.open("w", encoding="utf-8") as out:
        for (form, pos), values in sorted(senses.items()):
            polarity = sum(value[0] for value in values) / len(values)
            intensity = sum(value[1] for value in values) / len(values)
            out.write(f"{form}\t{pos}\t{polarity:.3f}\t{intensity:.3f}\n")
    return len(senses)
