"""Realistic Dutch names for simulated people, the same for the same seed."""

from __future__ import annotations

import functools
import random

FIRST_NAMES = (
    "Anna", "Bram", "Charlotte", "Daan", "Eva", "Fleur", "Gijs", "Hanna", "Iris", "Jesse", "Julia", "Kevin",
    "Lars", "Lieke", "Lotte", "Luuk", "Maaike", "Mark", "Milan", "Noor", "Niels", "Olivier", "Priya", "Roos",
    "Ruben", "Sanne", "Sem", "Sophie", "Thijs", "Tim", "Vera", "Wouter", "Yara", "Zoë", "Anouk", "Bas", "Chantal",
    "Dirk", "Esther", "Femke", "Hugo", "Ilse", "Jeroen", "Karin", "Linda", "Marieke", "Mohamed", "Nadia",
    "Petra", "Rik", "Sarah", "Stijn", "Tess", "Ayşe", "Youssef", "Emma", "Finn", "Lisa", "Max", "Nina",
)  # fmt: skip
LAST_NAMES = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit",
    "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
    "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs",
    "de Haan", "Vermeulen", "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn", "de Bruin",
    "van der Heijden", "Schouten", "van Beek", "Willems", "van Vliet", "van de Ven", "Hoekstra", "Maas",
    "Verhoeven", "Koster", "van Dam", "Prins", "Blom", "Huisman", "Peeters", "Kuipers", "Postma", "Yilmaz",
    "El Amrani", "Kaya", "Wijaya", "Bouali", "Tjon", "Veenstra", "Kramer",
)  # fmt: skip


@functools.cache
def _names(seed: int) -> tuple[tuple[str, str], ...]:
    every = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    random.Random(f"names-{seed}").shuffle(every)  # noqa: S311 - sample names, not secrets
    return tuple(every)


def agent_name(seed: int, index: int) -> tuple[str, str]:
    """The (first name, last name) of the agent at `index` (0, 1, ...); distinct per index for one seed."""
    names = _names(seed)
    return names[index % len(names)]


def staff_name(seed: int, index: int) -> tuple[str, str]:
    """The (first name, last name) of staff member `index` (team leads, managers): never an agent's name
    while there are fewer agents than half the pool."""
    names = _names(seed)
    return names[len(names) - 1 - index % (len(names) // 2)]
