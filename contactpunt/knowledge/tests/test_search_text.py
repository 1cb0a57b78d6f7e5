from contactpunt.knowledge.query import edit_distance, query_terms, split_compound
from contactpunt.knowledge.text import analyse, fold


def test_fold_removes_diacritics_and_case():
    assert fold("Geïnstalleerd Beëindigen CAFÉ") == "geinstalleerd beeindigen cafe"


def test_analyse_stems_dutch_and_drops_u_and_je_forms():
    assert analyse("Hoe wijzigt u uw adres?") == analyse("hoe wijzigt je je adres")
    assert analyse("facturen") == analyse("factuur") == ["factuur"]
    assert analyse("geinstalleerd") == analyse("geïnstalleerd")
    assert analyse("opzeggen opzegging") == ["opzeg", "opzeg"]


def test_compound_split_against_vocabulary():
    vocabulary = {"wachtwoord", "herstel"}
    assert split_compound("wachtwoordherstel", "nl", vocabulary) == ["wachtwoord", "herstel"]
    assert split_compound("abonnementsopzegging", "nl", {"abonnement", "opzeg"}) == ["abonnement", "opzeg"]
    assert split_compound("wachtwoordherstel", "nl", {"wachtwoord"}) == []


def test_query_joins_neighbours_the_index_holds_as_one_word():
    terms = query_terms("wachtwoord herstellen", "nl", {"wachtwoord", "herstel", "wachtwoordherstel"})
    assert terms == {"wachtwoord": 1.0, "herstel": 1.0, "wachtwoordherstel": 1.0}


def test_typo_falls_back_to_nearest_terms():
    assert edit_distance("abonement", "abonnement", 2) == 1
    assert edit_distance("aanrvagen", "aanvragen", 2) == 1  # a swap counts once
    terms = query_terms("abonement", "nl", {"abonnement", "afval"})
    assert terms == {"abonnement": 0.6}


def test_short_unknown_words_are_kept_as_they_are():
    assert query_terms("xyz", "nl", {"abonnement"}) == {"xyz": 1.0}
