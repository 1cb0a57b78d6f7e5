"""Reading an order file: CSV with `order_id, customer_id, ordered_at, amount` and optionally `product_type,
account, status` (and `kind`). Every row is one order. `customer_id` is the source's id of the customer and
becomes an external identity in the source's namespace. Dates are kept as the file gives them: the date part of
`ordered_at` is the order date, never shifted by a time zone."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from contactpunt.customers import services as customers
from contactpunt.customers.identities import IdentityKey, is_anonymous
from contactpunt.customers.models import Customer, IdentityKind
from contactpunt.journey.models import STAGES, OrderKind
from contactpunt.journey.services import OrderInput, record_orders

REQUIRED = ("order_id", "customer_id", "ordered_at", "amount")
OPTIONAL = ("product_type", "account", "status", "kind")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\s*(\d{1,2}):(\d{2})(?::(\d{2}))?[^\s]*)?\s*$")
_SLASHED = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$")


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    field: str
    message: str


@dataclass(slots=True)
class ImportReport:
    rows: int = 0
    created: int = 0
    duplicates: int = 0
    stage_changes: int = 0
    without_customer: int = 0
    new_customers: int = 0
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "created": self.created,
            "duplicates": self.duplicates,
            "stage_changes": self.stage_changes,
            "without_customer": self.without_customer,
            "new_customers": self.new_customers,
            "rejected": len(self.errors),
            "errors": [{"line": e.line, "field": e.field, "message": e.message} for e in self.errors[:100]],
        }


class FileRejected(ValueError):
    """The file as a whole cannot be read (no header, a required column missing)."""


def slash_order(values: Iterable[str]) -> str:
    """Whether the file's slashed dates are day-first ("dmy") or month-first ("mdy"): decided by the first
    date whose first or second number exceeds 12; month-first (the usual export) when none does."""
    for value in values:
        match = _SLASHED.match(value)
        if match:
            first, second = int(match.group(1)), int(match.group(2))
            if first > 12:
                return "dmy"
            if second > 12:
                return "mdy"
    return "mdy"


def parse_moment(value: str, order: str = "mdy") -> tuple[dt.date, dt.datetime | None]:
    """The date as written and, when a time is given, the moment (naive times read as UTC for storage only;
    the date is never shifted). Raise ValueError for anything else."""
    match = _ISO.match(value)
    if match:
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
        hour, minute, second = match.group(4), match.group(5), match.group(6)
    else:
        match = _SLASHED.match(value)
        if not match:
            raise ValueError(f"not a date: {value[:40]!r}")
        a, b = int(match.group(1)), int(match.group(2))
        month, day = (a, b) if order == "mdy" else (b, a)
        year = int(match.group(3))
        hour, minute, second = match.group(4), match.group(5), match.group(6)
    day_of = dt.date(year, month, day)
    if hour is None:
        return day_of, None
    moment = dt.datetime(year, month, day, int(hour), int(minute), int(second or 0), tzinfo=dt.UTC)
    return day_of, moment


def parse_amount(value: str) -> Decimal:
    """A decimal amount, with a point or (without a point) a comma as the decimal sign."""
    text = value.strip().replace(" ", "")
    text = text.replace(",", ".") if "," in text and "." not in text else text.replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not an amount: {value[:40]!r}") from None
    if not amount.is_finite() or abs(amount) >= Decimal(10) ** 12:
        raise ValueError(f"not an amount: {value[:40]!r}")
    return amount.quantize(Decimal("0.01"))


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """The file's rows with their line numbers; FileRejected when a required column is missing."""
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        try:
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(handle, dialect=dialect)
        columns = {(name or "").strip().casefold() for name in reader.fieldnames or ()}
        missing = [name for name in REQUIRED if name not in columns]
        if missing:
            raise FileRejected(f"the file lacks the column(s) {', '.join(missing)}")
        for row in reader:
            clean = {(k or "").strip().casefold(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
            yield reader.line_num, clean


#: Rows read, recognised and written together: the memory of an import stays flat however long the file is.
CHUNK = 20_000

Parsed = tuple[dict[str, str], dt.date, dt.datetime | None, Decimal, str]


def _parse(line: int, row: dict[str, str], kind: str, order: str, report: ImportReport) -> Parsed | None:
    """The row's order date, moment, amount and status; None (with the error reported) when it cannot be read."""
    if not row["order_id"]:
        report.errors.append(RowError(line, "order_id", "empty"))
        return None
    row_kind = row.get("kind") or kind
    if row_kind not in STAGES:
        report.errors.append(RowError(line, "kind", f"not one of {', '.join(STAGES)}"))
        return None
    status = row.get("status", "").casefold().replace(" ", "_")
    if status and status not in STAGES[row_kind]:
        report.errors.append(RowError(line, "status", f"not one of {', '.join(STAGES[row_kind])}"))
        return None
    try:
        day, moment = parse_moment(row["ordered_at"], order)
    except ValueError as exc:
        report.errors.append(RowError(line, "ordered_at", str(exc)))
        return None
    try:
        amount = parse_amount(row["amount"])
    except ValueError as exc:
        report.errors.append(RowError(line, "amount", str(exc)))
        return None
    return row, day, moment, amount, status


def import_orders(path: Path, *, source: str = "import", kind: str = OrderKind.ORDER) -> ImportReport:
    """Import the order file: every row one order, idempotent on (source, order_id); a re-import creates
    nothing and only records changed statuses. Rows that cannot be read are reported by line and field."""
    report = ImportReport()
    order = slash_order(row["ordered_at"] for _line, row in read_rows(path))
    chunk: list[Parsed] = []
    for line, row in read_rows(path):
        report.rows += 1
        parsed = _parse(line, row, kind, order, report)
        if parsed is not None:
            chunk.append(parsed)
        if len(chunk) >= CHUNK:
            _write(chunk, source, kind, report)
            chunk = []
    _write(chunk, source, kind, report)
    return report


def _write(parsed: list[Parsed], source: str, kind: str, report: ImportReport) -> None:
    """Recognise the customers of the rows (creating the new ones) and store the orders."""
    if not parsed:
        return
    keys = [
        None
        if is_anonymous(row["customer_id"])
        else IdentityKey(IdentityKind.EXTERNAL, source, row["customer_id"][:320])
        for row, *_rest in parsed
    ]
    before = Customer.objects.count()
    customer_ids = customers.customers_for_identities(keys)
    report.new_customers += Customer.objects.count() - before
    accounts = {ref: customers.account_for_ref(ref).pk for ref in {r.get("account", "") for r, *_ in parsed} if ref}
    products = {n: customers.product_type_named(n).pk for n in {r.get("product_type", "") for r, *_ in parsed} if n}
    items = []
    for (row, day, moment, amount, status), customer_id in zip(parsed, customer_ids, strict=True):
        report.without_customer += customer_id is None
        items.append(
            OrderInput(
                source=source,
                external_id=row["order_id"][:255],
                ordered_on=day,
                ordered_at=moment,
                customer_id=customer_id,
                kind=row.get("kind") or kind,
                amount=amount,
                account_id=accounts.get(row.get("account", "")),
                product_type_id=products.get(row.get("product_type", "")),
                stage=status,
            )
        )
    result = record_orders(items)
    report.created += result.created
    report.duplicates += result.duplicates
    report.stage_changes += result.stage_changes
