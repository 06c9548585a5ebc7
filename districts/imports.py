"""CSV import, shared by every kind of import (schools, people, metric values).

The flow users see: upload a file → a preview that lists every row's problems
by row and column, and what will be created or updated → confirm, which
imports everything or nothing. The uploaded text is kept in an ImportBatch
between preview and confirm; confirm plans again against the database as it
is then, so nothing changed in between can slip through.

What the preview page shows (counts, the first rows and problems, the notes) is
kept on the batch too (`ImportPreview`, bounded in size), made when the file is
read and again when a confirm is refused: viewing the page never re-reads the file.

An importer (one per kind) says which columns it reads, turns rows into a
plan (`plan`), and writes a clean plan (`apply`).
"""

from __future__ import annotations

import csv
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from core.csv import CsvFileError, csv_rows, decode_csv, write_csv

from .models import District, ImportBatch, ImportKind, Membership
from .services import ensure_actor_in_district

MAX_PROBLEMS_SHOWN = 500
MAX_ROWS_SHOWN = 200
MAX_TEXT_SHOWN = 500  # characters of one problem, note or row description


@dataclass(frozen=True)
class Column:
    name: str  # the header, lower case with underscores
    required: bool
    help: str
    example: str = ""


@dataclass(frozen=True)
class CsvRow:
    number: int  # the row as a spreadsheet numbers it: the header is row 1
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()


@dataclass(frozen=True)
class CsvTable:
    columns: list[str]
    rows: list[CsvRow]
    ignored_columns: list[str]


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str  # "" when the problem is the row as a whole
    message: str


@dataclass
class RowPlan:
    row: int
    action: Literal["create", "update", "unchanged"]
    description: str
    payload: Any = None


@dataclass
class ImportPlan:
    rows: list[RowPlan] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    row_count: int = 0  # data rows in the file

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def create_count(self) -> int:
        return self.count("create")

    @property
    def update_count(self) -> int:
        return self.count("update")

    @property
    def unchanged_count(self) -> int:
        return self.count("unchanged")

    @property
    def problem_rows(self) -> int:
        return len({p.row for p in self.problems})

    @property
    def problems_shown(self) -> list[RowProblem]:
        return self.problems[:MAX_PROBLEMS_SHOWN]

    def problem(self, row: int, column: str, message: str) -> None:
        self.problems.append(RowProblem(row=row, column=column, message=message))


@dataclass(frozen=True)
class RowShown:
    row: int
    action: str  # "create", "update" or "unchanged"
    description: str


def _shown(text: object) -> str:
    """A message or description as the preview keeps it: a cell quoted in it may be 100,000 characters long."""
    return Truncator(str(text)).chars(MAX_TEXT_SHOWN)


@dataclass(frozen=True)
class ImportPreview:
    """What the batch page shows of a plan: its counts, the first rows and problems. Kept on the batch as JSON."""

    planned_at: datetime
    row_count: int  # data rows in the file
    notes: list[str]
    problem_count: int
    problem_rows: int
    problems: list[RowProblem]  # the first MAX_PROBLEMS_SHOWN
    create_count: int
    update_count: int
    unchanged_count: int
    planned_rows: int  # rows the import would write or leave as they are
    rows: list[RowShown]  # the first MAX_ROWS_SHOWN

    @property
    def ok(self) -> bool:
        return not self.problem_count and bool(self.planned_rows)

    @classmethod
    def of(cls, plan: ImportPlan) -> ImportPreview:
        return cls(
            planned_at=timezone.now(),
            row_count=plan.row_count,
            notes=[_shown(note) for note in plan.notes],
            problem_count=len(plan.problems),
            problem_rows=plan.problem_rows,
            problems=[RowProblem(p.row, p.column, _shown(p.message)) for p in plan.problems_shown],
            create_count=plan.create_count,
            update_count=plan.update_count,
            unchanged_count=plan.unchanged_count,
            planned_rows=len(plan.rows),
            rows=[RowShown(r.row, r.action, _shown(r.description)) for r in plan.rows[:MAX_ROWS_SHOWN]],
        )

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["planned_at"] = self.planned_at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportPreview:
        return cls(
            **{
                **data,
                "planned_at": datetime.fromisoformat(data["planned_at"]),
                "problems": [RowProblem(**p) for p in data["problems"]],
                "rows": [RowShown(**r) for r in data["rows"]],
            }
        )


@dataclass(frozen=True)
class ImportCounts:
    created: int
    updated: int


class Importer(ABC):
    """One kind of import. Subclasses set `kind`, `columns`, `title` and implement plan/apply."""

    kind: ClassVar[ImportKind]
    title: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]

    lede: ClassVar[str] = ""  # a sentence under the upload page's heading
    # What an import did, one whole sentence per count ("12 values were created."), so each language words
    # the noun, its plural and its agreement itself: ngettext_lazy(singular, plural, "count").
    created_sentence: ClassVar[str] = ngettext_lazy(
        "%(count)s row was created.", "%(count)s rows were created.", "count"
    )
    updated_sentence: ClassVar[str] = ngettext_lazy(
        "%(count)s row was updated.", "%(count)s rows were updated.", "count"
    )

    def __init__(self, *, district: District, target_id: int | None = None) -> None:
        self.district = district
        self.target_id = target_id
        # The upload being imported: set by import_confirm before apply.
        self.batch: ImportBatch | None = None

    @abstractmethod
    def check_permission(self, actor: Membership) -> None:
        """Raise PermissionDenied when the actor may not run this import."""

    @abstractmethod
    def plan(self, table: CsvTable) -> ImportPlan:
        """Validate every row against the database; never write."""

    @abstractmethod
    def apply(self, plan: ImportPlan, *, actor: Membership) -> ImportCounts:
        """Write a plan with no problems. Runs inside one transaction."""

    def outcome(self, *, created: int, updated: int) -> str:
        """What an import did, e.g. "12 values were created. 3 values were updated." """
        return f"{self.created_sentence % {'count': created}} {self.updated_sentence % {'count': updated}}"

    def sample_csv(self) -> str:
        return write_csv([c.name for c in self.columns], [[c.example for c in self.columns]])

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


def normalize_header(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def read_csv(text: str, *, columns: tuple[Column, ...]) -> CsvTable:
    """Parse CSV text into rows keyed by normalized column names; raise CsvFileError for whole-file problems."""
    reader = csv_rows(text)
    try:
        _number, header = next(reader)
    except StopIteration:
        raise CsvFileError(_("The file is empty. Upload a CSV file whose first row names the columns.")) from None
    except csv.Error as error:
        raise CsvFileError(_("The first row can't be read as CSV: %(error)s.") % {"error": error}) from None
    names = [normalize_header(h) for h in header]
    known = {c.name for c in columns}
    if len(names) == 1 and ";" in header[0]:
        raise CsvFileError(
            _("The columns seem to be separated by semicolons. Save the file with commas between columns.")
        )
    missing = [c.name for c in columns if c.required and c.name not in names]
    if missing:
        expected = ", ".join(c.name for c in columns)
        raise CsvFileError(
            _(
                "The file has no column named %(missing)s. "
                "The first row must name the columns; this import reads: %(expected)s."
            )
            % {"missing": ", ".join(repr(m) for m in missing), "expected": expected}
        )
    duplicates = sorted({n for n in names if n and names.count(n) > 1})
    if duplicates:
        named = ", ".join(repr(d) for d in duplicates)
        raise CsvFileError(_("The column %(named)s appears more than once in the first row.") % {"named": named})
    rows: list[CsvRow] = []
    index = 1
    try:
        for index, cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= settings.IMPORT_MAX_ROWS:
                raise CsvFileError(
                    _("The file has more than %(count)s rows. Split it into smaller files and import each.")
                    % {"count": f"{settings.IMPORT_MAX_ROWS:,}"}
                )
            values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(names) if name in known}
            if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
                values["__extra__"] = "yes"
            rows.append(CsvRow(number=index, values=values))
    except csv.Error as error:
        raise CsvFileError(
            _("Row %(row)s can't be read as CSV: %(error)s.") % {"row": index + 1, "error": error}
        ) from None
    if not rows:
        raise CsvFileError(_("The file has a header row but no data rows."))
    ignored = [header[i].strip() for i, name in enumerate(names) if name and name not in known]
    return CsvTable(columns=names, rows=rows, ignored_columns=ignored)


def plan_text(importer: Importer, text: str) -> ImportPlan:
    table = read_csv(text, columns=importer.columns)
    plan = importer.plan(table)
    plan.row_count = len(table.rows)
    for row in table.rows:
        if row.values.get("__extra__"):
            plan.problem(row.number, "", _("This row has more cells than the header has columns."))
    if table.ignored_columns:
        plan.notes.append(
            _("Columns this import doesn't use were ignored: %(columns)s.")
            % {"columns": ", ".join(table.ignored_columns)}
        )
    plan.problems.sort(key=lambda p: (p.row, p.column))
    return plan


@transaction.atomic
def import_preview(
    *, district: District, actor: Membership, importer: Importer, filename: str, data: bytes
) -> tuple[ImportBatch, ImportPlan]:
    """Read an upload and keep it for confirmation. Raises ValidationError({"file": ...}) for unreadable files."""
    ensure_actor_in_district(district=district, actor=actor)
    importer.check_permission(actor)
    if len(data) > settings.IMPORT_MAX_BYTES:
        megabytes = settings.IMPORT_MAX_BYTES // (1024 * 1024)
        raise ValidationError(
            {
                "file": _("The file is larger than %(megabytes)s MB. Split it into smaller files.")
                % {"megabytes": megabytes}
            }
        )
    try:
        text = decode_csv(data)
        plan = plan_text(importer, text)
    except CsvFileError as error:
        raise ValidationError({"file": str(error)}) from None
    batch = ImportBatch.objects.create(
        district=district,
        kind=importer.kind,
        target_id=importer.target_id,
        filename=filename[:255],
        content=text,
        row_count=plan.row_count,
        created_by=actor,
        preview=ImportPreview.of(plan).as_json(),
    )
    return batch, plan


def import_batch_plan(*, importer: Importer, batch: ImportBatch) -> ImportPlan:
    """The plan for a kept batch, against the database as it is now (reads the whole file)."""
    try:
        return plan_text(importer, batch.content)
    except CsvFileError as error:
        plan = ImportPlan()
        plan.problem(1, "", str(error))
        return plan


def import_batch_preview(*, importer: Importer, batch: ImportBatch) -> ImportPreview:
    """What the batch page shows: the preview kept on the batch.

    A batch uploaded before previews were kept has none: it is planned for the page (a read never writes).
    """
    if batch.preview is None:
        return ImportPreview.of(import_batch_plan(importer=importer, batch=batch))
    return ImportPreview.from_json(batch.preview)


def import_refresh_preview(*, importer: Importer, batch: ImportBatch) -> ImportPreview:
    """Plan a waiting batch again against the database as it is now, and keep that as its preview."""
    preview = ImportPreview.of(import_batch_plan(importer=importer, batch=batch))
    batch.preview = preview.as_json()
    ImportBatch.objects.filter(pk=batch.pk, district_id=batch.district_id, status=ImportBatch.Status.PREVIEWED).update(
        preview=batch.preview
    )
    return preview


def import_confirm(*, district: District, actor: Membership, importer: Importer, batch: ImportBatch) -> ImportBatch:
    """Import a previewed batch: everything or nothing. Safe to call twice (the second does nothing).

    A confirm refused for the file's problems or a conflicting change plans the batch again and keeps
    that as its preview, so the page then shows what the file would do now.
    """
    try:
        return _import_confirm(district=district, actor=actor, importer=importer, batch=batch)
    except ValidationError as error:
        if getattr(error, "code", None) in ("problems", "conflict"):
            import_refresh_preview(importer=importer, batch=batch)
        raise


@transaction.atomic
def _import_confirm(*, district: District, actor: Membership, importer: Importer, batch: ImportBatch) -> ImportBatch:
    ensure_actor_in_district(district=district, actor=actor)
    importer.check_permission(actor)
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk, district=district)
    if locked.kind != importer.kind or locked.target_id != importer.target_id:
        raise ValidationError(_("This file was uploaded for a different import."))
    if locked.status == ImportBatch.Status.IMPORTED:
        return locked
    if locked.status != ImportBatch.Status.PREVIEWED:
        raise ValidationError(_("This upload was discarded. Upload the file again."))
    plan = import_batch_plan(importer=importer, batch=locked)
    if not plan.ok:
        problems = {"problems": len(plan.problems), "rows": plan.problem_rows}
        if plan.problem_rows == 1:
            message = ngettext(
                "Nothing was imported: %(problems)s problem in one row. Fix the file and upload it again.",
                "Nothing was imported: %(problems)s problems in one row. Fix the file and upload it again.",
                problems["problems"],
            )
        else:
            # Every row with a problem has at least one, so with two rows or more the problems are plural too.
            message = ngettext(
                "Nothing was imported: %(problems)s problems in %(rows)s row. Fix the file and upload it again.",
                "Nothing was imported: %(problems)s problems in %(rows)s rows. Fix the file and upload it again.",
                problems["rows"],
            )
        raise ValidationError(message % problems, code="problems")
    importer.batch = locked
    try:
        with transaction.atomic():
            counts = importer.apply(plan, actor=actor)
    except IntegrityError:
        # Someone added the same school, person or value while this file was confirmed
        # (a unique constraint stopped it). All or nothing: nothing was imported, the batch stays previewed.
        raise ValidationError(
            _(
                "Nothing was imported: someone else added or changed some of the same records a moment ago. "
                "Open the preview again to see what this file would do now, then confirm."
            ),
            code="conflict",
        ) from None
    locked.status = ImportBatch.Status.IMPORTED
    locked.imported_at = timezone.now()
    locked.created_count = counts.created
    locked.updated_count = counts.updated
    locked.save(update_fields=["status", "imported_at", "created_count", "updated_count"])
    return locked


@transaction.atomic
def import_discard(*, district: District, actor: Membership, importer: Importer, batch: ImportBatch) -> ImportBatch:
    ensure_actor_in_district(district=district, actor=actor)
    importer.check_permission(actor)
    ImportBatch.objects.filter(pk=batch.pk, district=district, status=ImportBatch.Status.PREVIEWED).update(
        status=ImportBatch.Status.DISCARDED, content="", preview=None
    )
    batch.refresh_from_db()
    return batch
