"""`contactpunt journey import-orders`: every row one order, ids become identities, a re-import creates nothing."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from contactpunt.contacts.services.customers import merge_customers
from contactpunt.customers.models import Customer, Identity
from contactpunt.journey import importer
from contactpunt.journey.importer import parse_moment, slash_order
from contactpunt.journey.models import Order, StageChange

pytestmark = pytest.mark.django_db


def _run(path: Path, *extra: str) -> dict[str, Any]:
    out = StringIO()
    call_command("journey", "import-orders", str(path), "--json", *extra, stdout=out)
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


@pytest.mark.parametrize("chunk", [20_000, 2])
def test_import_is_idempotent_and_records_status_changes(
    tmp_path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "CHUNK", chunk)  # the same answer however the file is cut into chunks
    file = tmp_path / "o.csv"
    file.write_text(
        "order_id,customer_id,ordered_at,amount,product_type,account,status\n"
        "A1,17850,2010-12-01 08:26:00,15.30,Kaarten,RET-1,ordered\n"
        'A2,17850,2010-12-03 23:59:00,"1,50",Kaarten,RET-1,paid\n'
        "A3,,2010-12-04,3.00,,,\n"
        "A4,13047,2010-12-05,abc,,,\n"
        "A5,13047,2010-13-05,1,,,\n"
        "A6,13047,2010-12-06,2,,,flying\n"
    )
    report = _run(file)
    assert report["rows"] == 6 and report["created"] == 3 and report["rejected"] == 3
    assert report["without_customer"] == 1 and report["new_customers"] == 1
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(5, "amount"), (6, "ordered_at"), (7, "status")]
    a1 = Order.objects.get(external_id="A1")
    assert a1.ordered_on == dt.date(2010, 12, 1) and str(a1.amount) == "15.30" and a1.stage == "ordered"
    assert a1.product_type is not None and a1.product_type.name == "Kaarten"
    assert a1.account is not None and a1.account.external_ref == "RET-1"
    assert str(Order.objects.get(external_id="A2").amount) == "1.50"
    identity = Identity.objects.get(kind="external", namespace="import", value="17850")
    assert a1.customer_id == identity.customer_id == Order.objects.get(external_id="A2").customer_id
    assert Order.objects.get(external_id="A3").customer_id is None
    customers, stages = Customer.objects.count(), StageChange.objects.count()

    again = _run(file)
    assert again["created"] == 0 and again["duplicates"] == 3 and again["stage_changes"] == 0
    assert Customer.objects.count() == customers and StageChange.objects.count() == stages

    file.write_text("order_id,customer_id,ordered_at,amount,status\nA1,17850,2010-12-01 08:26:00,15.30,shipped\n")
    changed = _run(file)
    assert changed["stage_changes"] == 1 and changed["created"] == 0
    assert Order.objects.get(external_id="A1").stage == "shipped"
    assert list(StageChange.objects.filter(order=a1).values_list("stage", flat=True)) == ["ordered", "shipped"]


def test_a_customer_id_is_an_identity_of_its_source(tmp_path: Path) -> None:
    file = tmp_path / "o.csv"
    file.write_text("order_id,customer_id,ordered_at,amount\nX,7,2020-01-01,1\n")
    _run(file, "--source", "shop-a")
    _run(file, "--source", "shop-b")
    assert Order.objects.count() == 2
    assert Order.objects.values("customer").distinct().count() == 2  # the same number in two systems: two people


def test_a_file_without_the_required_columns_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "o.csv"
    file.write_text("id,customer\n1,2\n")
    with pytest.raises(CommandError, match="order_id"):
        _run(file)
    with pytest.raises(CommandError, match="no such file"):
        _run(tmp_path / "missing.csv")


def test_dates_are_read_as_written() -> None:
    assert slash_order(["12/1/2010 8:26", "12/13/2010 9:00"]) == "mdy"
    assert slash_order(["13/1/2010 8:26"]) == "dmy"
    assert parse_moment("12/1/2010 8:26", "mdy")[0] == dt.date(2010, 12, 1)
    assert parse_moment("12/1/2010 8:26", "dmy")[0] == dt.date(2010, 1, 12)
    assert parse_moment("2010-12-01T23:30:00-08:00")[0] == dt.date(2010, 12, 1)  # never shifted to UTC
    with pytest.raises(ValueError):
        parse_moment("yesterday")


def test_an_id_of_a_merged_customer_finds_the_customer_it_went_into(tmp_path: Path) -> None:
    file = tmp_path / "o.csv"
    file.write_text("order_id,customer_id,ordered_at,amount\nA,1,2020-01-01,1\nB,2,2020-01-02,1\n")
    _run(file)
    first, second = (Order.objects.get(external_id=x).customer for x in "AB")
    assert first is not None and second is not None
    merge_customers(source=second, target=first, by=None)
    file.write_text("order_id,customer_id,ordered_at,amount\nC,2,2020-02-01,1\n")
    _run(file)
    assert Order.objects.get(external_id="C").customer_id == first.pk
