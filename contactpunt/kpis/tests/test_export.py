"""The KPI export: rounded values, the Dutch-Excel CSV for Dutch users, the machine CSV and `kpis --json`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from contactpunt.contacts.services.cases import resolve_case
from contactpunt.kpis import export, rollups
from contactpunt.kpis.tests.helpers import call
from contactpunt.people.models import User

pytestmark = pytest.mark.django_db
DAY = "?from=2026-03-02&to=2026-03-02&by=queue"


@pytest.fixture
def calls(phone_queue, agent, t0):
    """Three calls on 2 March 2026: answered after 10 s and 40 s (talk 60 s and 61.2 s), one left after 30 s."""
    call(phone_queue, t0, wait=10, talk=60, agent=agent)
    call(phone_queue, t0, wait=40, talk=61.2, agent=agent)
    call(phone_queue, t0, wait=30)
    rollups.rebuild(t0 - dt.timedelta(days=1), t0 + dt.timedelta(days=1))  # the export reads settled days from them


def download(user: User, query: str = DAY) -> bytes:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("kpis:export_csv") + query)
    assert response.status_code == 200
    return response.content


def test_a_dutch_user_gets_the_csv_dutch_excel_reads(team_lead, calls):
    content = download(team_lead)
    assert content.startswith(b"\xef\xbb\xbf")  # the byte-order mark: Excel then reads UTF-8
    # Read as Dutch Excel does: semicolons between fields, commas as decimal marks.
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["Wachtrij", "Van", "Tot en met", "Aangeboden", "Beantwoord", "Opgehangen"]
    assert len(body) == 1
    row = dict(zip(header, body[0], strict=True))
    assert (row["Wachtrij"], row["Van"], row["Tot en met"]) == ("Telefoon algemeen", "2026-03-02", "2026-03-02")
    assert (row["Aangeboden"], row["Beantwoord"], row["Opgehangen"]) == ("3", "2", "1")
    # 1 of 3 answered within 20 s: a percentage to one decimal, the unit in the header (the walk read "0,9522")
    assert row["Servicelevel (%)"] == "33,3"
    assert row["Ophangpercentage (%)"] == "33,3"
    assert row["Gem. wachttijd (ASA) (s)"] == "25,0" and row["Gem. afhandeltijd (AHT) (s)"] == "60,6"
    assert float(row["Servicelevel (%)"].replace(",", ".")) == 33.3
    assert not any("." in cell for cell in body[0][3:])  # no decimal point for Excel to misread
    assert not [name for name in header if "_" in name or name.islower()]  # every column by its Dutch name, no key
    assert {"Afgehandeld", "Zaken geteld voor opgelost bij eerste contact", "Zaken nog open (doorlooptijd)"} <= set(
        header
    )


def test_the_machine_csv_for_english_users_and_on_request(team_lead, calls):
    team_lead.language = "en"
    team_lead.save(update_fields=["language"])
    for content in (download(team_lead), download(team_lead, DAY + "&excel=0")):
        assert not content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(content.decode())))
        assert [(r["group"], r["offered"], r["service_level"], r["asa_s"], r["aht_s"]) for r in rows] == [
            ("phone-general", "3", "0.3333", "25.0", "60.6")
        ]
    dutch_excel = download(team_lead, DAY + "&excel=1")
    assert dutch_excel.startswith(b"\xef\xbb\xbf") and b";" in dutch_excel.splitlines()[0]


def test_kpis_json_stays_machine_format(phone_queue, agent, calls):
    out = io.StringIO()
    call_command("kpis", "--from", "2026-03-02", "--to", "2026-03-02", "--by", "queue", "--json", stdout=out)
    (row,) = json.loads(out.getvalue())
    assert row["service_level"] == pytest.approx(1 / 3, abs=1e-12) and row["service_level"] != 0.3333
    assert row["aht_s"] == pytest.approx(60.6)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("service_level", 0.96512345678, 0.9651),
        ("asa_s", 25.04999, 25.0),
        ("aht_s", 812.3456, 812.3),
        ("offered", 83831, 83831),
        ("service_level", None, None),
    ],
)
def test_values_are_rounded_by_their_kind(key, value, expected):
    assert export.rounded(key, value) == expected


def test_csv_cells_in_both_dialects():
    header, body = ["group", "service_level", "offered"], [["Financiën", 0.965, 83831], ["all", None, 0]]
    assert export.to_csv(header, body, excel=True).decode("utf-8") == (
        "\ufeffgroup;service_level;offered\r\nFinanciën;0,965;83831\r\nall;;0\r\n"
    )
    assert export.to_csv(header, body, excel=False).decode("utf-8") == (
        "group,service_level,offered\r\nFinanciën,0.965,83831\r\nall,,0\r\n"
    )


def test_no_abbreviation_stands_alone_in_the_dutch_metric_names():
    """AHT, ASA, FCR and CSI are explained on a Dutch screen: the name first, the abbreviation in brackets."""
    import re

    from django.utils import translation

    from contactpunt.kpis import labels

    with translation.override("nl"):
        names = {key: labels.metric_label(key) for key in labels.METRIC_LABELS}
    assert names["aht_s"] == "Gem. afhandeltijd (AHT)" and names["asa_s"] == "Gem. wachttijd (ASA)"
    assert names["fcr"] == "Opgelost bij eerste contact (FCR)"
    for name in names.values():
        bare = re.sub(r"\([^)]*\)", "", name)  # what is left outside the brackets
        assert not re.search(r"\b(AHT|ASA|FCR|CSI)\b", bare), name


def test_the_export_carries_the_fcr_the_screens_show_while_its_days_run(
    team_lead, phone_queue, agent, t0, django_capture_on_commit_callbacks
):
    """Within 7 days of the resolutions FCR has no case yet: the screens show the figure so far, marked provisional,
    and the export carries the same figure in its own column (it was empty)."""
    with django_capture_on_commit_callbacks(execute=True):
        solved = call(phone_queue, t0, wait=10, talk=60, agent=agent, caller="+31201111111")
        resolve_case(case=solved.case, by=agent, occurred_at=t0 + dt.timedelta(hours=1))
    with time_machine.travel(t0 + dt.timedelta(days=2), tick=False):
        rollups.refresh()
        content = download(team_lead, DAY + "&excel=0")
        page = Client()
        page.force_login(team_lead)
        screen = page.get(reverse("kpis:manager") + "?from=2026-03-02&to=2026-03-02&by=queue").content.decode()
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    assert (rows[0]["fcr"], rows[0]["fcr_so_far"]) == ("", "1.0")
    assert "voorlopig 100" in screen  # the manager page's FCR column: 100,0% so far
