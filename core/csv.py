"""Safe CSV: the one writer every export uses and the reader every import uses.

A spreadsheet treats a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage
return as a formula, so text written raw (a note `=cmd|' /C calc'!A0`, a school named
`=HYPERLINK(…)`) would run in the spreadsheet of whoever opens the file. The writer
prefixes such text cells with an apostrophe, which spreadsheets show as plain text.
Numbers (int, Decimal, float) are written as numbers, so -3.5 stays -3.5.

The reader undoes exactly what the writer did, so an export read back by an import is
the text that was exported: a text cell that begins with an apostrophe is written with
one more, and the reader removes one leading apostrophe only when what follows it is a
character the writer would have escaped (or another apostrophe). An apostrophe typed
by hand before ordinary text is kept.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"

Cell = str | int | float | Decimal | date | datetime | None


class CsvFileError(Exception):
    """The file as a whole cannot be read; the message says what to do."""


def safe_cell(value: Cell) -> str:
    """One cell as the writer writes it: numbers as numbers, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS) or text.startswith(ESCAPE):
        return ESCAPE + text
    return text


def read_cell(text: str) -> str:
    """A cell as the writer was given it: the inverse of safe_cell for text."""
    if text.startswith(ESCAPE) and text[1:2] and text[1:].startswith((*FORMULA_STARTS, ESCAPE)):
        return text[1:]
    return text


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> HttpResponse:
    """A downloadable CSV file written by the safe writer."""
    response = HttpResponse(write_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Echo:
    """A file that hands back what is written to it, so csv.writer yields one line at a time."""

    def write(self, text: str) -> str:
        return text


def csv_stream_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> StreamingHttpResponse:
    """A downloadable CSV file streamed row by row (a large export is never held in memory).

    It starts with a UTF-8 byte order mark: Excel reads a CSV without one in the computer's
    legacy code page, which garbles accented names ("Peñasco"); decode_csv reads it either way.
    """
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([safe_cell(cell) for cell in header])
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def decode_csv(data: bytes) -> str:
    """An upload's bytes as text; CsvFileError when it is empty, not UTF-8 or holds a NUL byte."""
    if not data.strip():
        raise CsvFileError(_("The file is empty. Upload a CSV file whose first row names the columns."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CsvFileError(
            _(
                "This file isn't saved as UTF-8 text: row %(row)s has a character that can't be read. "
                "In Excel choose File › Save As › “CSV UTF-8 (Comma delimited)”; in Google Sheets "
                "choose File › Download › Comma-separated values. Then upload it again."
            )
            % {"row": line}
        ) from None
    return text


def csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(row number as a spreadsheet counts it, cells read back through read_cell) for every row.
    A quote that is never closed is a CsvFileError naming the row it opens in; other unreadable
    rows raise csv.Error as the csv module does (the caller says which row)."""
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise CsvFileError(
            _(
                "Row %(row)s holds a NUL character (an invisible character some programs write), which can't be "
                "imported. Open the file in a spreadsheet, save it again as CSV UTF-8 and upload it again."
            )
            % {"row": line}
        )
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(iter(lines))
    number = 0
    while True:
        first_line = reader.line_num  # lines read before this row
        try:
            cells = next(reader)
        except StopIteration:
            return
        number += 1
        if reader.line_num >= len(lines) and _quote_left_open(lines[first_line:]):
            raise CsvFileError(
                _(
                    'Row %(row)s opens a quote (") that is never closed, so the rest of the file reads as one cell. '
                    "Close the quote or remove it, then upload the file again."
                )
                % {"row": number}
            )
        yield number, [read_cell(cell) for cell in cells]


def _quote_left_open(lines: list[str]) -> bool:
    """Whether the file's last row runs to its end inside a quoted cell."""
    try:
        for _cells in csv.reader(iter(lines), strict=True):
            pass
    except csv.Error as error:
        return "unexpected end of data" in str(error)
    return False
