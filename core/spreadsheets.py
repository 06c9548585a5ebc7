"""Safe Excel (.xlsx): the one workbook writer every export uses.

Text is neutralised exactly as core.csv's writer does (safe_cell): a cell that begins with `=`,
`+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe, so Excel never takes it for a
formula (openpyxl itself would write "=…" as one). Numbers stay numbers, dates stay dates.
Characters the file format cannot hold (control characters) are dropped rather than failing
the whole export.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .csv import Cell, safe_cell

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLE_LENGTH = 31  # Excel's limit
XLSX_MOST_ROWS = 1_048_575  # rows under the header that Excel opens in one worksheet
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def xlsx_value(value: Cell) -> str | int | float | Decimal | date | datetime | None:
    """One cell as the workbook holds it: numbers and dates as themselves, text neutralised."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, int | float | Decimal | date):
        if isinstance(value, datetime) and value.tzinfo is not None:
            # Excel has no time zones: the caller's local time is what the reader sees.
            return value.replace(tzinfo=None)
        return value
    return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def sheet_title(text: str) -> str:
    """A worksheet name Excel accepts: no []:*?/\\ and at most 31 characters."""
    return _SHEET_TITLE_FORBIDDEN.sub(" ", text).strip()[:SHEET_TITLE_LENGTH] or "Sheet"


def write_xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """One worksheet: a bold, frozen header row, then the rows (written as they come, in write-only mode)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(title))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    heading = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=xlsx_value(text))
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        sheet.append([xlsx_value(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> HttpResponse:
    """A downloadable .xlsx file with one worksheet named `title`."""
    response = HttpResponse(write_xlsx(title, header, rows), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
