"""The KPI export as rows, as CSV and as a workbook: rounded values, and a Dutch-Excel dialect (semicolons, decimal
commas, a byte-order mark so Excel reads UTF-8) beside the plain machine CSV; in the workbook numbers stay numbers
and carry their format (a percentage shows as 96,0% in a Dutch Excel), dates are dates.

The machine CSV keeps the units of `contactpunt kpis --json` (fractions 0..1, seconds); the labelled one (Dutch
Excel) shows what a team lead reads: percentages to one decimal and seconds, each unit named in its column's header.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from contactpunt.kpis.views_support import KINDS

BOM = "\ufeff"
FRACTION_DECIMALS = 4
SECONDS_DECIMALS = 1


def rounded(key: str, value: Any) -> Any:
    """`value` of metric `key` rounded for a spreadsheet: fractions to 4 decimals, seconds to 1, counts whole."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return value
    kind = KINDS.get(key, "n")
    if kind == "%":
        return round(float(value), FRACTION_DECIMALS)
    if kind == "s":
        return round(float(value), SECONDS_DECIMALS)
    return round(value) if float(value).is_integer() else round(float(value), FRACTION_DECIMALS)


PERCENT_DECIMALS = 1


def unit_header(key: str, label: str) -> str:
    """The labelled column's header with its unit: "Servicelevel (%)", "Gem. wachttijd (ASA) (s)"."""
    kind = KINDS.get(key, "n")
    return f"{label} (%)" if kind == "%" else f"{label} (s)" if kind == "s" else label


def labelled(key: str, value: Any) -> Any:
    """`value` of metric `key` for the labelled export: a fraction as a percentage to one decimal (95,2), seconds to
    one decimal, counts whole."""
    if KINDS.get(key, "n") == "%" and isinstance(value, int | float) and not isinstance(value, bool):
        return round(float(value) * 100, PERCENT_DECIMALS)
    return rounded(key, value)


def _cell(value: Any, decimal_mark: str) -> Any:
    if isinstance(value, float):
        text = repr(value)  # the shortest text that reads back as the same (already rounded) number
        if "e" in text or "E" in text:
            text = f"{value:.{FRACTION_DECIMALS}f}"
        return text.replace(".", decimal_mark)
    return "" if value is None else value


def to_csv(header: Sequence[str], body: Sequence[Sequence[Any]], *, excel: bool) -> bytes:
    """The rows as UTF-8 CSV; `excel`: semicolon-separated with decimal commas and a byte-order mark, as a
    Dutch Excel opens it; otherwise comma-separated with decimal points."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n")
    decimal_mark = "," if excel else "."
    writer.writerow(header)
    writer.writerows([_cell(value, decimal_mark) for value in row] for row in body)
    return ((BOM if excel else "") + buffer.getvalue()).encode("utf-8")


#: Cell formats per column kind (Excel's own codes; Excel shows them in the reader's locale).
SHEET_FORMATS = {"date": "d-m-yyyy", "%": "0.0%", "s": "#,##0.0", "n": "#,##0", "text": "@"}
SHEET_WIDTH = 14


def fill_sheet(sheet: Any, header: Sequence[str], body: Sequence[Sequence[Any]], kinds: Sequence[str]) -> None:
    """Write the header (bold, frozen, wrapped) and the rows, each cell with its column's number format."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in body:
        sheet.append(list(row))
    for column, kind in enumerate(kinds, start=1):
        code = SHEET_FORMATS.get(kind, "General")
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            if cell.value is None:
                continue
            # A count is whole; a figure of kind "n" that is not (an average, a rate) keeps two decimals.
            cell.number_format = "#,##0.00" if kind == "n" and isinstance(cell.value, float) else code
        sheet.column_dimensions[get_column_letter(column)].width = SHEET_WIDTH * (2 if column == 1 else 1)
    sheet.freeze_panes = "B2"
