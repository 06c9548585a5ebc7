"""Reading ids and dates from query strings and form fields: a clear "no" for bad text, never a server error.

`parse_id` answers None for anything that is not a plain ASCII number within
the database's id range (a 20-digit number would overflow a bigint on
PostgreSQL; `"²".isdigit()` is true but `int("²")` fails). `parse_date`
answers None for text that is not an ISO date within the years the app
handles. `id_from_query` 404s on a malformed id, the same 404 as a missing
object.
"""

from __future__ import annotations

import re
from datetime import date

from django.http import Http404, QueryDict

MAX_ID = 2**63 - 1  # PostgreSQL bigint, the type of every primary key (BigAutoField)
MIN_YEAR, MAX_YEAR = 1900, 2200  # the years a school plan, a metric period or a baseline can name
_ASCII_NUMBER = re.compile(r"[0-9]{1,19}")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def parse_id(text: object) -> int | None:
    """The id `text` names, or None if it is not a positive ASCII number within the id range."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text if 0 < text <= MAX_ID else None
    if not isinstance(text, str) or not _ASCII_NUMBER.fullmatch(text.strip()):
        return None
    number = int(text.strip())
    return number if 0 < number <= MAX_ID else None


def parse_date(text: object) -> date | None:
    """The ISO date (YYYY-MM-DD) `text` names, or None if malformed or outside MIN_YEAR..MAX_YEAR."""
    if isinstance(text, date):
        return text if MIN_YEAR <= text.year <= MAX_YEAR else None
    if not isinstance(text, str) or not (match := _ISO_DATE.fullmatch(text.strip())):
        return None
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def id_from_query(query: QueryDict, name: str) -> int | None:
    """The id in ?name=: None when absent or empty, a 404 when malformed (as for a missing object)."""
    text = query.get(name, "")
    if not text:
        return None
    number = parse_id(text)
    if number is None:
        raise Http404("No such object.")
    return number


def query_text(query: QueryDict, name: str, limit: int = 200) -> str:
    """Free text from ?name= (a search, a region): stripped, cut to `limit`, NUL removed (PostgreSQL refuses NUL)."""
    return query.get(name, "").replace("\x00", "").strip()[:limit]
