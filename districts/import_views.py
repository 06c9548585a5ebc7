"""The four steps of any CSV import as views: upload, preview/result, confirm, discard (and a sample file).

A kind of import gets its views and URLs in a few lines, e.g. schools:

    SCHOOL_IMPORT_VIEWS = import_views_for(
        district_import(SchoolImporter, url_name="districts:school_import", ...),
        action=Action.MANAGE_DISTRICT, section="schools",
    )
    urlpatterns += import_urlpatterns("schools/import/", "school_import", SCHOOL_IMPORT_VIEWS)

URL names follow one pattern from `ImportPages.url_name`: `<name>`, `<name>_sample`,
`<name>_batch`, `<name>_confirm` and `<name>_discard`. An import into one object
(e.g. a metric's values) writes its own setup, which takes the object's URL
argument, checks the permission on it and returns its importer and pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.web import call_service, posted, render_page

from .access import access_import_batch
from .forms import ImportUploadForm
from .imports import Importer, import_batch_preview, import_confirm, import_discard, import_preview
from .models import ImportBatch
from .policy import Action
from .web import district_view


@dataclass(frozen=True)
class ImportPages:
    """Where an import's pages are, for one request."""

    url_name: str  # e.g. "districts:school_import"; the steps add _sample, _batch, _confirm, _discard
    back_url: str  # the page the import fills: breadcrumbs and the "done" link
    back_label: str
    sample_filename: str
    url_kwargs: dict[str, object] = field(default_factory=dict)  # URL arguments besides the district, e.g. a metric id
    trail: tuple[tuple[str, str], ...] = ()  # breadcrumbs before back_label: (label, url) pairs

    def url(self, request: HttpRequest, suffix: str = "", **kwargs: object) -> str:
        return reverse(
            self.url_name + suffix, kwargs={"district_slug": request.district.slug, **self.url_kwargs, **kwargs}
        )


# What an import's views need for one request: its importer and its pages. Gets the
# URL arguments besides the district and the batch (e.g. metric_id), and checks any
# permission on the object it imports into.
ImportSetup = Callable[..., "tuple[Importer, ImportPages] | HttpResponse"]


def district_import(
    importer_class: type[Importer], *, url_name: str, back_url_name: str, back_label: str, sample_filename: str
) -> ImportSetup:
    """The setup of an import into the district itself (schools, people)."""

    def setup(request: HttpRequest) -> tuple[Importer, ImportPages]:
        back_url = reverse(back_url_name, kwargs={"district_slug": request.district.slug})
        return importer_class(district=request.district), ImportPages(url_name, back_url, back_label, sample_filename)

    return setup


def _context(request: HttpRequest, importer: Importer, pages: ImportPages, **extra: object) -> dict[str, object]:
    return {
        "importer": importer,
        "pages": pages,
        "back_url": pages.back_url,
        "upload_url": pages.url(request),
        "sample_url": pages.url(request, "_sample"),
        **extra,
    }


class ImportFileForm(ImportUploadForm):
    """The upload form, refusing a file over the import limit by its size, before reading any of it."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        limits = _("Up to %(size)s and %(rows)s rows.") % {
            "size": filesizeformat(settings.IMPORT_MAX_BYTES),
            "rows": f"{settings.IMPORT_MAX_ROWS:,}",
        }
        self.fields["file"].help_text = f"{self.fields['file'].help_text} {limits}"

    def clean_file(self) -> UploadedFile:
        file = self.cleaned_data["file"]
        if file.size is not None and file.size > settings.IMPORT_MAX_BYTES:
            raise ValidationError(
                _("The file is %(size)s; the most an import reads is %(limit)s. Split it into smaller files.")
                % {"size": filesizeformat(file.size), "limit": filesizeformat(settings.IMPORT_MAX_BYTES)},
                code="too_large",
            )
        return file


def upload(request: HttpRequest, importer: Importer, pages: ImportPages) -> HttpResponse:
    form = ImportFileForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        # Read at most one byte past the limit, so a file whose size was not told is still refused unread.
        result = call_service(
            form,
            import_preview,
            district=request.district,
            actor=request.membership,
            importer=importer,
            filename=file.name,
            data=file.read(settings.IMPORT_MAX_BYTES + 1),
        )
        if result is not None:
            batch, _plan = result
            return redirect(pages.url(request, "_batch", batch_id=batch.pk))
    context = _context(request, importer, pages, form=form, action_url=pages.url(request))
    return render_page(request, "districts/import_upload.html", context)


def _batch_for(request: HttpRequest, importer: Importer, batch_id: int) -> ImportBatch:
    batch = access_import_batch(actor=request.membership, batch_id=batch_id)
    if batch.kind != importer.kind or batch.target_id != importer.target_id:
        raise Http404("No such import.")
    return batch


def batch(request: HttpRequest, importer: Importer, pages: ImportPages, batch_id: int) -> HttpResponse:
    """The preview of a waiting upload (kept on the batch: the file is not read again), or what an import did."""
    batch = _batch_for(request, importer, batch_id)
    waiting = batch.status == ImportBatch.Status.PREVIEWED
    preview = import_batch_preview(importer=importer, batch=batch) if waiting else None
    context = _context(
        request,
        importer,
        pages,
        batch=batch,
        preview=preview,
        outcome=importer.outcome(created=batch.created_count, updated=batch.updated_count),
        confirm_url=pages.url(request, "_confirm", batch_id=batch.pk),
        discard_url=pages.url(request, "_discard", batch_id=batch.pk),
    )
    return render_page(request, "districts/import_batch.html", context)


def confirm(request: HttpRequest, importer: Importer, pages: ImportPages, batch_id: int) -> HttpResponse:
    batch = _batch_for(request, importer, batch_id)
    try:
        done = import_confirm(district=request.district, actor=request.membership, importer=importer, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        outcome = importer.outcome(created=done.created_count, updated=done.updated_count)
        messages.success(request, f"{_('Import finished.')} {outcome}")
    return redirect(pages.url(request, "_batch", batch_id=batch.pk))


def discard(request: HttpRequest, importer: Importer, pages: ImportPages, batch_id: int) -> HttpResponse:
    batch = _batch_for(request, importer, batch_id)
    import_discard(district=request.district, actor=request.membership, importer=importer, batch=batch)
    messages.info(request, _("Discarded %(filename)s. Nothing was imported.") % {"filename": batch.filename})
    return redirect(pages.url(request))


def sample(request: HttpRequest, importer: Importer, pages: ImportPages) -> HttpResponse:
    response = HttpResponse(importer.sample_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{pages.sample_filename}"'
    return response


@dataclass(frozen=True)
class ImportViews:
    upload: Callable[..., HttpResponse]
    sample: Callable[..., HttpResponse]
    batch: Callable[..., HttpResponse]
    confirm: Callable[..., HttpResponse]
    discard: Callable[..., HttpResponse]


def import_views_for(setup: ImportSetup, *, action: Action, section: str) -> ImportViews:
    """The five views of an import; `setup` gives each request its importer and pages."""

    def view(step: Callable[..., HttpResponse], *, post_only: bool = False) -> Callable[..., HttpResponse]:
        @district_view(action, section=section)
        def import_step(request: HttpRequest, **kwargs: object) -> HttpResponse:
            step_kwargs = {"batch_id": kwargs.pop("batch_id")} if "batch_id" in kwargs else {}
            setup_result = setup(request, **kwargs)
            if isinstance(setup_result, HttpResponse):  # the import is closed (e.g. an archived plan): why, and back
                return setup_result
            importer, pages = setup_result
            return step(request, importer, pages, **step_kwargs)

        return require_POST(import_step) if post_only else import_step

    return ImportViews(
        upload=view(upload),
        sample=view(sample),
        batch=view(batch),
        confirm=view(confirm, post_only=True),
        discard=view(discard, post_only=True),
    )


def import_urlpatterns(route: str, name: str, views: ImportViews) -> list[URLPattern]:
    return [
        path(route, views.upload, name=name),
        path(f"{route}sample.csv", views.sample, name=f"{name}_sample"),
        path(f"{route}<int:batch_id>/", views.batch, name=f"{name}_batch"),
        path(f"{route}<int:batch_id>/confirm/", views.confirm, name=f"{name}_confirm"),
        path(f"{route}<int:batch_id>/discard/", views.discard, name=f"{name}_discard"),
    ]
