from __future__ import annotations

from pathlib import Path

import pytest

from contactpunt.insights.lexicon import (
    Lexicon,
    convert_pattern_xml,
    dutch_base_forms,
    get_lexicon,
    lexicon_features,
    read_lexicon,
)

PATTERN_XML = """<?xml version="1.0" encoding="utf-8"?>
<sentiment language="nl" license="PDDL">
<word form="goed" pos="JJ" sense="a" polarity="0.6" subjectivity="0.8" intensity="1.0" confidence="1.0" />
<word form="goed" pos="JJ" sense="b" polarity="0.4" subjectivity="0.8" intensity="1.0" confidence="1.0" />
<word form="erg" pos="JJ" sense="zeer" polarity="-0.2" subjectivity="0.8" intensity="1.5" confidence="1.0" />
<word form="slecht" pos="JJ" sense="" polarity="-0.7" subjectivity="0.9" intensity="1.0" confidence="1.0" />
<word form="groot" pos="JJ" sense="" polarity="0.2" subjectivity="0.3" intensity="1.0" confidence="1.0" />
<word form="top" pos="" sense="" polarity="0.6" subjectivity="0.9" intensity="1.0" confidence="1.0" />
</sentiment>
"""


@pytest.fixture
def small(tmp_path: Path) -> Lexicon:
    source = tmp_path / "nl-sentiment.xml"
    source.write_text(PATTERN_XML, encoding="utf-8")
    target = tmp_path / "lexicon_nl.tsv"
    assert convert_pattern_xml(source, target) == 5  # goed's two senses are one (form, pos) row
    assert "goed\tJJ\t0.500\t1.000" in target.read_text(encoding="utf-8").splitlines()
    return read_lexicon(target, language="nl")


def test_a_plain_opinion_word_gives_its_polarity(small: Lexicon) -> None:
    assert small.score("Het was goed.").polarity == pytest.approx(0.5)
    assert small.score("Het was goed.").words == 1
    assert small.score("De bus vertrekt om drie uur.").words == 0
    assert small.score("").polarity == 0.0


def test_negation_turns_and_softens(small: Lexicon) -> None:
    assert small.score("Niet goed").polarity == pytest.approx(-0.25)
    assert small.score("niet slecht").polarity == pytest.approx(0.35)
    # A negation is kept across a short word ("niet zo goed") but not across a content word.
    assert small.score("niet zo goed").polarity < 0
    assert small.score("niet geleverd, wel goed").polarity > 0


def test_intensifiers_and_exclamations_strengthen(small: Lexicon) -> None:
    plain = small.score("goed").polarity
    assert small.score("erg goed").polarity == pytest.approx(plain * 1.5)
    assert small.score("erg goed").words == 1  # "erg goed" is one reading, not erg's own polarity as well
    assert small.score("goed!").polarity == pytest.approx(plain * 1.25)
    assert small.score("slecht!!!").polarity == pytest.approx(-0.875)


def test_the_clause_after_a_contrast_weighs_more_within_its_sentence(small: Lexicon) -> None:
    # "goed, maar slecht": goed weighs 0.5, slecht 1.5 (VADER's weights), a weighted mean.
    assert small.score("Het was goed, maar slecht.").polarity == pytest.approx((0.5 * 0.5 - 0.7 * 1.5) / 2)
    assert small.score("Het was slecht, maar goed.").polarity > 0
    assert small.score("Het was goed, toch slecht.").polarity == pytest.approx(-0.1)  # no contrast word
    # An earlier sentence keeps its weight; the count of opinion words is unchanged.
    top_then_contrast = small.score("Het was top. Goed, maar slecht.")
    assert top_then_contrast.polarity == pytest.approx((0.6 + 0.5 * 0.5 - 0.7 * 1.5) / 3)
    assert top_then_contrast.words == 3
    assert small.score("Maar goed.").polarity == pytest.approx(0.5)


def test_dutch_attributive_forms_read_as_their_adjective(small: Lexicon) -> None:
    assert small.score("een slechte service").polarity == pytest.approx(-0.7)
    assert small.score("de grote doos").polarity == pytest.approx(0.2)
    assert small.score("een goede dag").polarity == pytest.approx(0.5)
    assert "snel" in dutch_base_forms("snelle")
    assert "lief" in dutch_base_forms("lieve")
    assert "boos" in dutch_base_forms("boze")
    assert dutch_base_forms("de") == []


def test_shipped_lexicons_read_dutch_and_english() -> None:
    dutch, english = get_lexicon("nl"), get_lexicon("en")
    assert dutch is not None and english is not None
    assert len(dutch.words) > 3000 and len(english.words) > 1000
    assert dutch.score("Heel vriendelijke medewerker, top geholpen!").polarity > 0.3
    assert dutch.score("Slechte service, nooit meer.").polarity < -0.3
    assert english.score("Really friendly staff").polarity > 0.3
    assert english.score("The delivery was not good").polarity < 0
    assert get_lexicon("de") is None


def test_features_are_zero_without_a_lexicon_for_the_language() -> None:
    features = lexicon_features(["Sehr gut!", "Heel goed!", "Very good!"], ["other", "nl", "en"])
    assert features.shape == (3, 2)
    assert features[0].tolist() == [0.0, 0.0]
    assert features[1][0] > 0 and features[2][0] > 0
    one, two = lexicon_features(["Het was goed.", "Het was goed en het was goed."], ["nl", "nl"])
    assert one[0] == pytest.approx(two[0])  # the same mean polarity
    assert two[1] > one[1] > 0  # read from more opinion words, it weighs more


def test_dutch_homographs_are_opinion_words_only_where_licensed() -> None:
    dutch = get_lexicon("nl")
    assert dutch is not None
    # "naar" (to), "waar" (where), "laat" (lets), "moest" (had to) and "de laatste" (the last) say nothing.
    for plain in ("Ik ben naar de winkel gegaan.", "Waar is mijn pakket?", "Laat maar weten.", "Ik moest bellen."):
        assert dutch.score(plain).words == 0, plain
    assert dutch.score("Dit is de laatste keer dat ik bel.").words == 0
    # After a degree word or at the end of a sentence they are the adjective: "te laat", "het was naar."
    assert dutch.score("De bezorger kwam te laat.").polarity < 0
    assert dutch.score("Het was naar.").polarity < 0
    # An intensifier that is also an adjective ("zeer": sore) still intensifies, and alone says nothing.
    assert dutch.score("zeer tevreden").polarity > dutch.score("tevreden").polarity > 0
    assert dutch.score("Zeer tevrede over de service").words == 0


def test_a_sentence_end_closes_a_negation_and_a_conjunction_an_intensifier(small: Lexicon) -> None:
    assert small.score("Het lukte niet. Goed.").polarity == pytest.approx(0.5)
    assert small.score("Het lukte niet! Goed.").polarity == pytest.approx(0.5)
    # "goed en slecht": two readings (the mean), not "goed" intensifying "slecht" across "en".
    both = get_lexicon("nl")
    assert both is not None
    assert both.score("goed en slecht").words == 2
    assert both.score("snel en vriendelijk").words == 2


def test_a_supplement_adds_words_and_the_main_lexicon_keeps_its_own(tmp_path: Path) -> None:
    main, extra = tmp_path / "lexicon_nl.tsv", tmp_path / "lexicon_nl_service.tsv"
    main.write_text("goed\tJJ\t0.500\t1.000\n", encoding="utf-8")
    extra.write_text("goed\tNN\t-0.900\t1.000\nopgelost\tVBN\t0.500\t1.000\n", encoding="utf-8")
    lexicon = read_lexicon(main, language="nl", supplements=[extra])
    assert lexicon.words["goed"][0] == pytest.approx(0.5)  # the main lexicon's reading, not the supplement's
    assert lexicon.words["opgelost"][0] == pytest.approx(0.5)
    assert lexicon.supplement == frozenset({"opgelost"})
    assert read_lexicon(main, language="nl").score("Netjes opgelost.").words == 0


def test_dutch_service_words_are_read_and_turned_by_a_negation() -> None:
    dutch = get_lexicon("nl")
    assert dutch is not None
    assert {"opgelost", "klacht", "opgelicht", "behulpzaam"} <= dutch.supplement
    assert "klagen" not in dutch.supplement  # Pattern has it: its reading stands
    assert dutch.score("Binnen een dag opgelost.").polarity > 0
    assert dutch.score("Ik ben opgelicht.").polarity < 0
    assert dutch.score("Nog steeds niet opgelost.").polarity < 0
    # "zonder" turns what follows; "geen" turns a complaint into praise.
    assert dutch.score("Alles ging zonder gedoe.").polarity > 0
    assert dutch.score("Nooit klachten gehad.").polarity > 0


def test_a_dutch_negation_reaches_over_one_word_but_not_past_alleen() -> None:
    dutch = get_lexicon("nl")
    assert dutch is not None
    assert dutch.score("Het werd niet meteen opgelost.").polarity < 0
    assert dutch.score("Ze waren niet alleen snel.").polarity > 0  # "niet alleen": not a negation of "snel"
    assert dutch.score("niet geleverd, wel goed").polarity > 0  # one word, no further
