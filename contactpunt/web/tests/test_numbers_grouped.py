"""Counts on Dutch screens carry the thousands separator ("2.737", not "2737"): templates format every number
through the `formats` filters, never floatformat (which does not group) nor a bare count in a plural sentence."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

import contactpunt

ROOT = Path(contactpunt.__file__).parent
TEMPLATES = sorted(p for p in ROOT.glob("**/templates/**/*.html") if "tests" not in p.parts)


def test_no_template_formats_a_number_with_floatformat():
    users = [str(p.relative_to(ROOT)) for p in TEMPLATES if "|floatformat" in p.read_text()]
    assert users == []  # floatformat writes 2737,0: use |number:1


def test_the_inbox_caption_and_a_topic_count_are_grouped():
    inbox = SimpleNamespace(total=2737, waiting=1204, rows=[])
    with translation.override("nl"):
        caption = render_to_string("workspace/_inbox.html", {"inbox": inbox, "filters": SimpleNamespace()})
        topic = Template(
            "{% load i18n formats %}{% blocktranslate count n=size with shown=size|number %}{{ shown }} message"
            "{% plural %}{{ shown }} messages{% endblocktranslate %}"
        ).render(Context({"size": 2737}))
    assert "2.737 open zaken" in caption and "1.204 wachtende contacten" in caption
    assert topic == "2.737 berichten"


def test_the_topics_on_the_insights_page_use_the_grouped_count():
    page = (ROOT / "insights/templates/insights/index.html").read_text()
    assert re.search(r"count n=topic\.size with shown=topic\.size\|number", page)
