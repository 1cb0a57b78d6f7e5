"""A reason-model version's decision in the reader's language.

`lifecycle.consider_candidate` stores why a version was or was not activated as a short English sentence (the
`insights retrain` command prints it as it is). The insights page shows it translated: the sentence is one of a few
known shapes, each read back into its translated form with the numbers written the language's way ("0,954"). A
sentence of no known shape is shown as it was stored.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from contactpunt import formats

_NUMBER = r"(\d+(?:\.\d+)?)"
_BASELINE = re.compile(rf"; accuracy {_NUMBER} vs TF-IDF baseline {_NUMBER}$")
_COMPARED = re.compile(
    rf"^(activated: not worse than|kept the active model: worse than) the active model"
    rf" \(macro-F1 {_NUMBER} vs {_NUMBER}\)$"
)


def _fixed() -> dict[str, str]:
    return {
        "activated: there was no active model": _("activated: there was no active model"),
        "activated: replaces seeds": _("activated: replaces the seed phrases"),
        "kept the active model: nothing to compare on": _("kept the active model: nothing to compare on"),
    }


def _score(text: str) -> str:
    return formats.number(float(text), 3)


def shown_decision(decision: str) -> str:
    """`decision` as stored by `consider_candidate`, in the active language; unknown text unchanged."""
    suffix = ""
    head = decision
    if baseline := _BASELINE.search(decision):
        head = decision[: baseline.start()]
        suffix = _("; accuracy %(accuracy)s against %(baseline)s for the TF-IDF baseline") % {
            "accuracy": _score(baseline.group(1)),
            "baseline": _score(baseline.group(2)),
        }
    if head in _fixed():
        return _fixed()[head] + suffix
    if compared := _COMPARED.match(head):
        numbers = {"new": _score(compared.group(2)), "active": _score(compared.group(3))}
        if compared.group(1).startswith("activated"):
            text = _("activated: not worse than the active model (macro-F1 %(new)s against %(active)s)")
        else:
            text = _("kept the active model: worse than the active model (macro-F1 %(new)s against %(active)s)")
        return text % numbers + suffix
    return decision
