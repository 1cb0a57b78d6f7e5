"""`contactpunt import-calls`: hand-computed excerpts of the Technion log and an Asterisk queue_log, and CSV."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from contactpunt.contacts.models import (
    AgentStateEvent,
    Case,
    Contact,
    ContactEvent,
    ContactLeg,
    ContactStatus,
    Queue,
)
from contactpunt.customers.models import Customer, Identity
from contactpunt.people.models import Role, User

HEADER = (
    "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit\tq_time"
    "\toutcome\tser_start\tser_exit\tser_time\tserver"
)
# Real rows of anonbank_1999_01_calls.tsv, and one broken line (line 9).
TECHNION = "\n".join(
    [
        HEADER,
        "AA0101\t33116\t9664491\t2\tPS\t990101\t0:00:31\t0:00:36\t5\t0:00:36\t0:03:09\t153\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
        "AA0101\t33117\t0\t0\tPS\t990101\t0:34:12\t0:34:23\t11\t0:00:00\t0:00:00\t0\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
        "AA0101\t33118\t27997683\t2\tPS\t990101\t6:55:20\t6:55:26\t6\t6:55:26\t6:55:43\t17\tAGENT\t6:55:43\t6:56:37\t54\tMICHAL",
        "AA0101\t33119\t0\t0\tPS\t990101\t7:41:16\t7:41:26\t10\t0:00:00\t0:00:00\t0\tAGENT\t7:41:25\t7:44:53\t208\tBASCH",
        "AA0101\t33180\t69100527\t2\tPS\t990103\t10:19:09\t10:19:15\t6\t10:19:15\t10:19:31\t16\tPHANTOM\t10:19:30\t10:20:13\t43\tNO_SERVER",
        "AA0204\t32342\t9664491\t2\tPS\t990105\t21:10:39\t21:10:45\t6\t21:10:45\t21:10:58\t13\tAGENT\t21:10:57\t21:15:25\t268\tBASCH",
        "AA0102\t28748\t0\t0\tPS\t990105\t23:59:15\t23:59:34\t19\t0:00:00\t0:00:00\t0\tAGENT\t23:59:33\t0:03:40\t247\tBENSION",
        "AA0101\t99999\tbroken",
    ]
)  # fmt: skip
UTC = dt.UTC


def _import(path: Path, *args: str) -> Any:
    out = StringIO()
    call_command("import-calls", str(path), *args, "--no-progress", "--json", stdout=out)
    return json.loads(out.getvalue())


def _at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


@pytest.mark.django_db
def test_technion_excerpt(tmp_path):
    path = tmp_path / "calls.tsv"
    path.write_text(TECHNION + "\n")
    report = _import(path, "--format", "technion")
    assert (report["rows_read"], report["calls"], report["contacts_created"], report["duplicates"]) == (8, 6, 6, 0)
    assert report["outcomes"] == {"abandoned": 1, "answered": 4, "ivr_only": 1}
    assert report["unreadable_rows"] == [
        {"line": 9, "reason": "expected 17 columns, found 3", "text": "AA0101\t99999\tbroken"}
    ]
    assert report["skipped_rows"] == {"PHANTOM": 1}
    assert report["queues_created"] == ["phone-ps"]
    assert report["agents_created"] == ["BASCH", "BENSION", "MICHAL"]
    assert report["events_created"] == 9  # answered + ended for 4 calls, abandoned for 1
    assert report["voice_menu"] == {
        "calls_through_menu": 6,
        "ended_in_menu": 1,
        "share_ended_in_menu": round(1 / 6, 4),
        "mean_menu_seconds": 9.5,  # (5 + 11 + 6 + 10 + 6 + 19) / 6
        "paths": {},
    }
    assert Queue.objects.get().channel == "phone"
    assert set(User.objects.values_list("role", flat=True)) == {Role.AGENT}
    contacts = {str(c.external_id): c for c in Contact.objects.all()}
    # Israel is UTC+2 in January; the call that crosses midnight ends on the next day.
    abandoned = contacts["AA0101:33116"]
    assert (abandoned.status, abandoned.occurred_at, abandoned.ended_at) == (
        ContactStatus.ABANDONED,
        _at(1998, 12, 31, 22, 0, 36),
        _at(1998, 12, 31, 22, 3, 9),
    )
    ivr = contacts["AA0101:33117"]
    assert (ivr.status, ivr.customer_id, ivr.legs.count()) == (ContactStatus.IVR_ONLY, None, 0)
    assert not ContactEvent.objects.filter(contact=ivr).exists()
    midnight = contacts["AA0102:28748"]
    assert (midnight.answered_at, midnight.ended_at) == (_at(1999, 1, 5, 21, 59, 33), _at(1999, 1, 5, 22, 3, 40))
    waits = {
        leg.contact.external_id: (leg.answered_at - leg.queued_at).total_seconds()
        for leg in ContactLeg.objects.select_related("contact").filter(answered_at__isnull=False)
    }
    assert waits == {"AA0101:33118": 17.0, "AA0101:33119": 0.0, "AA0204:32342": 13.0, "AA0102:28748": 0.0}
    assert ContactLeg.objects.get(contact__external_id="AA0101:33119").agent.username == "BASCH"
    # Customer 9664491 called twice: one customer; the three calls of customer 0 have none.
    assert Customer.objects.count() == 2
    assert contacts["AA0101:33116"].customer_id == contacts["AA0204:32342"].customer_id
    assert sorted(Identity.objects.values_list("kind", "namespace", "value")) == [
        ("external", "technion", "27997683"),
        ("external", "technion", "9664491"),
    ]
    assert sorted(k for k, c in contacts.items() if c.customer_id is None) == [
        "AA0101:33117",
        "AA0101:33119",
        "AA0102:28748",
    ]
    counts = (Contact.objects.count(), Case.objects.count(), ContactEvent.objects.count(), User.objects.count())
    assert counts == (6, 6, 9 + 5, 3)  # 5 queued events from the inbound service
    again = _import(path, "--format", "technion")
    assert (again["contacts_created"], again["duplicates"], again["events_created"]) == (0, 6, 0)
    assert again["queues_created"] == again["agents_created"] == []
    assert (Contact.objects.count(), Case.objects.count(), ContactEvent.objects.count(), User.objects.count()) == counts


ASTERISK = """1000000000|NONE|NONE|Agent/1001|AGENTLOGIN|SIP/1001
1000000001|NONE|sales|Agent/1001|ADDMEMBER|
1000000010|c1|sales|NONE|ENTERQUEUE||0612345678|1
1000000025|c1|sales|Agent/1001|CONNECT|15|c1b|3
1000000100|c1|sales|Agent/1001|TRANSFER|200|support|15|75|1
1000000102|c1|support|NONE|ENTERQUEUE||0612345678|1
1000000110|c1|support|Agent/2002|CONNECT|8|c1c|2
1000000200|c1|support|Agent/2002|COMPLETEAGENT|8|90|1
1000000300|c2|sales|NONE|ENTERQUEUE||anonymous|1
1000000330|c2|sales|NONE|ABANDON|1|1|30
1000000400|c3|sales|NONE|ENTERQUEUE||0201234567|1
1000000405|c3|sales|NONE|FROBNICATE|x
1000000500|NONE|NONE|Agent/1001|PAUSE|meeting
garbage line
"""


@pytest.mark.django_db
def test_asterisk_excerpt_with_a_transfer_agent_states_and_an_unfinished_call(tmp_path):
    path = tmp_path / "queue_log"
    path.write_text(ASTERISK)
    report = _import(path, "--format", "asterisk-queue-log", "--source", "pbx")
    assert (report["calls"], report["contacts_created"]) == (3, 3)
    assert report["outcomes"] == {"abandoned": 1, "answered": 1, "unfinished": 1}
    assert report["unknown_events"] == {"FROBNICATE": 1}
    assert report["calls_without_final_event"] == ["c3"]
    assert [row["line"] for row in report["unreadable_rows"]] == [14]
    assert report["queues_created"] == ["phone-sales", "phone-support"]
    assert report["agents_created"] == ["Agent_1001", "Agent_2002"]
    assert (report["events_created"], report["agent_states_created"]) == (5, 3)
    c1 = Contact.objects.get(external_id="c1")
    legs = list(c1.legs.order_by("sequence").values_list("queue__code", "agent__username", "queued_at", "answered_at"))
    t = dt.datetime.fromtimestamp
    assert legs == [
        ("phone-sales", "Agent_1001", t(1000000010, UTC), t(1000000025, UTC)),
        ("phone-support", "Agent_2002", t(1000000102, UTC), t(1000000110, UTC)),
    ]
    assert (c1.status, c1.ended_at) == (ContactStatus.HANDLED, t(1000000200, UTC))
    names = list(ContactEvent.objects.filter(contact=c1).order_by("occurred_at", "id").values_list("name", "leg"))
    assert names == [("queued", 1), ("answered", 1), ("transferred", 1), ("queued", 2), ("answered", 2), ("ended", 2)]
    c2 = Contact.objects.get(external_id="c2")
    assert (c2.status, c2.customer_id, (c2.ended_at - c2.occurred_at).total_seconds()) == ("abandoned", None, 30.0)
    assert Contact.objects.get(external_id="c3").status == ContactStatus.QUEUED
    assert sorted(Identity.objects.values_list("kind", "value")) == [
        ("phone", "+31201234567"),
        ("phone", "+31612345678"),
    ]
    states = list(AgentStateEvent.objects.order_by("occurred_at").values_list("agent__username", "state"))
    assert states == [("Agent_1001", "available"), ("Agent_1001", "available"), ("Agent_1001", "meeting")]
    again = _import(path, "--format", "asterisk-queue-log", "--source", "pbx")
    assert (again["contacts_created"], again["events_created"], again["agent_states_created"]) == (0, 0, 0)


@pytest.mark.django_db
def test_csv_with_a_mapping(tmp_path):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        'timestamp_format = "%d-%m-%Y %H:%M:%S"\ntimezone = "Europe/Amsterdam"\n'
        '[columns]\ncall_id = "ID"\nqueued_at = "Start"\noutcome = "Result"\nqueue = "Queue"\nagent = "Agent"\n'
        'caller = "Caller"\nwait_seconds = "Wait"\ntalk_seconds = "Talk"\n'
        '[outcomes]\nanswered = ["OK"]\nabandoned = ["LOST"]\n'
    )
    path = tmp_path / "calls.csv"
    path.write_text(
        "ID,Start,Result,Queue,Agent,Caller,Wait,Talk\n"
        "1,02-03-2026 10:00:00,OK,Sales,anna,KLANT-7,20,100\n"
        "2,02-03-2026 10:05:00,LOST,Sales,,0612345678,45,\n"
        "3,02-03-2026 10:06:00,WHAT,Sales,,,1,\n"
    )
    report = _import(path, "--format", "csv", "--mapping", str(mapping))
    assert (report["calls"], report["contacts_created"], report["events_created"]) == (2, 2, 3)
    assert report["unreadable_rows"][0]["line"] == 4
    one = Contact.objects.get(external_id="1")
    assert (one.occurred_at, one.answered_at, one.ended_at) == (
        _at(2026, 3, 2, 9, 0, 0),
        _at(2026, 3, 2, 9, 0, 20),
        _at(2026, 3, 2, 9, 2, 0),
    )
    assert sorted(Identity.objects.values_list("kind", "namespace", "value")) == [
        ("external", "csv", "KLANT-7"),
        ("phone", "", "+31612345678"),
    ]
