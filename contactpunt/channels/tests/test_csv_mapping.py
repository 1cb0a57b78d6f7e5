"""The mapping-driven CSV call importer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from contactpunt.channels.telephony.csv_mapping import MappingError, load_mapping, mapping_from_dict, parse_csv
from contactpunt.channels.telephony.records import CallLeg, LegOutcome, ParseReport

TOML = """
delimiter = ";"
timestamp_format = "%d-%m-%Y %H:%M:%S"
timezone = "Europe/Amsterdam"

[columns]
call_id = "Gesprek"
queue = "Wachtrij"
agent = "Medewerker"
caller = "Nummer"
queued_at = "Start"
wait_seconds = "Wacht"
talk_seconds = "Duur"
outcome = "Resultaat"
ivr_path = "Menu"

[outcomes]
answered = ["Beantwoord"]
abandoned = ["Opgehangen"]
ivr_only = "Keuzemenu"
"""

CSV = """Gesprek;Wachtrij;Medewerker;Nummer;Start;Wacht;Duur;Resultaat;Menu
1;Facturen;anna;0612345678;14-01-2025 09:00:00;20;100;Beantwoord;1>2
1;Technisch;bert;0612345678;14-01-2025 09:02:05;5;60;beantwoord;
2;Facturen;;;14-01-2025 09:10:00;45;;Opgehangen;1
3;;;;14-01-2025 09:11:00;;;Keuzemenu;3>0
4;Facturen;;;gisteren;;;Beantwoord;
5;Facturen;;;14-01-2025 09:12:00;;;Onbekend;
"""


def utc(hour: int, minute: int, second: int) -> datetime:
    return datetime(2025, 1, 14, hour, minute, second, tzinfo=UTC)


@pytest.fixture
def mapping_path(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(TOML)
    return path


def test_csv_with_a_toml_mapping(mapping_path: Path):
    mapping = load_mapping(mapping_path)
    report = ParseReport()
    calls = list(parse_csv(CSV.splitlines(keepends=True), mapping=mapping, report=report))
    assert [c.external_id for c in calls] == ["1", "2", "3"]
    transferred, abandoned, ivr = calls
    # Amsterdam is UTC+1 in January
    assert transferred.legs == (
        CallLeg("Facturen", "anna", utc(8, 0, 0), utc(8, 0, 20), utc(8, 2, 0), LegOutcome.ANSWERED, "Beantwoord"),
        CallLeg("Technisch", "bert", utc(8, 2, 5), utc(8, 2, 10), utc(8, 3, 10), LegOutcome.ANSWERED, "beantwoord"),
    )
    assert (transferred.caller, transferred.started_at, transferred.ended_at) == (
        "0612345678",
        utc(8, 0, 0),
        utc(8, 3, 10),
    )
    assert transferred.ivr_path == ("1", "2")
    assert abandoned.legs == (CallLeg("Facturen", None, utc(8, 10, 0), None, utc(8, 10, 45), LegOutcome.ABANDONED,
                                      "Opgehangen"),)  # fmt: skip
    assert (ivr.legs, ivr.outcome, ivr.ivr_path) == ((), LegOutcome.IVR_ONLY, ("3", "0"))
    assert [(p.line, p.reason) for p in report.problems] == [
        (6, "bad time 'gisteren'"),
        (7, "unknown outcome 'Onbekend'"),
    ]
    assert (report.rows_read, report.calls) == (6, 3)


def test_json_mapping_with_epoch_and_explicit_times(tmp_path: Path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({
        "timestamp_format": "epoch",
        "columns": {"call_id": "id", "queued_at": "q", "answered_at": "a", "ended_at": "e", "outcome": "o"},
        "outcomes": {"answered": ["ok"], "exited": ["timeout"]},
    }))  # fmt: skip
    report = ParseReport()
    lines = ["id,q,a,e,o\n", "x,1700000000,1700000010,1700000070,OK\n", "y,1700000000,,1700000300,timeout\n"]
    calls = list(parse_csv(lines, mapping=load_mapping(path), report=report))
    assert [(c.legs[0].wait_seconds, c.legs[0].talk_seconds, c.outcome) for c in calls] == [
        (10, 60, LegOutcome.ANSWERED),
        (300, None, LegOutcome.EXITED),
    ]


def test_missing_header_column_is_reported():
    mapping = mapping_from_dict({"columns": {"call_id": "id", "queued_at": "q", "outcome": "o"},
                                 "outcomes": {"answered": "A"}})  # fmt: skip
    report = ParseReport()
    assert list(parse_csv(["id,o\n", "1,A\n"], mapping=mapping, report=report)) == []
    assert [(p.line, p.reason) for p in report.problems] == [(1, "columns not in the header: q")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "mapping needs a 'columns' table"),
        ({"columns": {"call_id": "a"}, "outcomes": {"answered": "x"}}, "mapping lacks columns: queued_at, outcome"),
        ({"columns": {"call_id": "a", "queued_at": "b", "outcome": "c"}}, "mapping needs an 'outcomes' table"),
        ({"columns": {"call_id": "a", "queued_at": "b", "outcome": "c", "colour": "d"}, "outcomes": {"answered": "x"}},
         "mapping names unknown fields: colour"),
        ({"columns": {"call_id": "a", "queued_at": "b", "outcome": "c"}, "outcomes": {"won": "x"}},
         "unknown outcome 'won'"),
        ({"columns": {"call_id": "a", "queued_at": "b", "outcome": "c"}, "outcomes": {"answered": "x"},
          "timezone": "Mars/Base"}, "unknown time zone 'Mars/Base'"),
    ],
)  # fmt: skip
def test_bad_mappings(data: dict[str, object], message: str):
    with pytest.raises(MappingError, match=message.replace("(", r"\(")):
        mapping_from_dict(data)


def test_unreadable_mapping_file(tmp_path: Path):
    path = tmp_path / "m.toml"
    path.write_text("columns = [")
    with pytest.raises(MappingError, match="cannot read mapping"):
        load_mapping(path)
