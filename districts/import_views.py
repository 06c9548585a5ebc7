"""The four steps of any CSV import as view bodies: upload, preview/result, confirm, discard (and a sample file).

A kind of import wires these to its own URLs and permission, e.g. schools:

    @district_view(Action.MANAGE_DISTRICT, section="schools")
    def school_import(request):
        return import_views.upload(request, SchoolImporter(district=request.district), SCHOOL_IMPORT)

URL names follow one pattern from `ImportPages.url_name`: `<name>`, `<name>_sample`,
`<name>_batch`, `<name>_confirm` and `<name>_discard`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .access import access_import_batch
from .forms import ImportUploadForm
from .imports import Importer, import_batch_plan, import_confirm, import_discard, import_preview
from .models import ImportBatch
from .web import call_service, posted, render_page


@dataclass(frozen=True)
class ImportPages:
    url_name: str  # e.g. "districts:school_import"
    back_url_name: str  # the list the import fills, for breadcrumbs and "done" links
    back_label: str
    sample_filename: str
    url_kwargs: dict[str, object] = field(default_factory=dict)  # extra URL arguments, e.g. a metric id

    def url(self, request: HttpRequest, suffix: str = "", **kwargs: object) -> str:
        return reverse(
            self.url_name + suffix, kwargs={"district_slug": request.district.slug, **self.url_kwargs, **kwargs}
        )

    def back_url(self, request: HttpRequest) -> str:
        return reverse(self.back_url_name, kwargs={"district_slug": request.district.slug})


def _context(request: HttpRequest, importer: Importer, pages: ImportPages, **extra: object) -> dict[str, object]:
    return {
        "importer": importer,
        "pages": pages,
        "back_url": pages.back_url(request),
        "upload_url": pages.url(request),
        "sample_url": pages.url(request, "_sample"),
        **extra,
    }


def upload(request: HttpRequest, importer: Importer, pages: ImportPages) -> HttpResponse:
    form = ImportUploadForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        # Read one byte past the limit, so an oversized file is refused without reading it all.
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
    """The preview of a waiting upload (planned against the database as it is now), or what an import did."""
    batch = _batch_for(request, importer, batch_id)
    plan = import_batch_plan(importer=importer, batch=batch) if batch.status == ImportBatch.Status.PREVIEWED else None
    context = _context(
        request,
        importer,
        pages,
        batch=batch,
        plan=plan,
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
        messages.success(
            request,
            f"Import finished: {done.created_count} created, {done.updated_count} updated.",
        )
    return redirect(pages.url(request, "_batch", batch_id=batch.pk))


def discard(request: HttpRequest, importer: Importer, pages: ImportPages, batch_id: int) -> HttpResponse:
    batch = _batch_for(request, importer, batch_id)
    import_discard(district=request.district, actor=request.membership, importer=importer, batch=batch)
    messages.info(request, f"Discarded {batch.filename}. Nothing was imported.")
    return redirect(pages.url(request))


def sample(request: HttpRequest, importer: Importer, pages: ImportPages) -> HttpResponse:
    response = HttpResponse(importer.sample_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{pages.sample_filename}"'
    return response
