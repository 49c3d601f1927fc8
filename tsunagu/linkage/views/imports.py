"""CSV import screens: the list of imports, the upload, the column mapping (which validates
and hands the file to the background job), and the status page whose progress bar polls (htmx
GET, every two seconds) a fragment that only reads the progress. An interrupted import shows a
button that resumes it (POST).

Every page needs ``linkage.review`` (the municipal program office or a coordinator); an
import of another agency answers 404 (the program office sees all). Pages showing personal
data (the preview rows, the imported rows) record an audited read.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tsunagu.audit.services import audit_read
from tsunagu.common.spreadsheet import audit_export, export_format, stream_list
from tsunagu.common.views import personal_data_view

from .. import csvfile, export
from ..forms import ImportMappingForm, ImportUploadForm
from ..models import ImportStatus
from ..selectors import imports as selectors
from ..services import imports as services
from .base import PAGE_SIZE, add_service_errors

#: The rows shown under the column mapping.
PREVIEW_ROWS = 3
RECORDS_PAGE_SIZE = 100
ERRORS_PAGE_SIZE = 50


@personal_data_view("linkage.review")
def import_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.batch_list(user=request.user)
    fmt = export_format(request)
    if fmt:
        audit_export(
            request, "linkage.import_list", fmt=fmt, title=export.IMPORTS, count=qs.count()
        )
        return stream_list(
            fmt,
            title=export.IMPORTS,
            header=export.IMPORT_HEADER,
            rows=export.import_rows(qs),
            widths=export.IMPORT_WIDTHS,
            about=[["条件", "なし（すべて）"]],
            filename_ascii="imports",
            filename_ja=export.IMPORTS,
        )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    batches = list(page.object_list)
    results = selectors.import_results([b.pk for b in batches if b.status == ImportStatus.DONE])
    for b in batches:
        b.result = results.get(b.pk)
    return render(
        request,
        "linkage/import_list.html",
        {"page": page, "batches": batches, "query": ""},
    )


@personal_data_view("linkage.review")
def import_new(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.import_upload(
                by=request.user,
                file=form.cleaned_data["file"],
                source_label=form.cleaned_data["source_label"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {})
        else:
            messages.success(
                request,
                f"ファイルを受け付けました（文字コード：{csvfile.encoding_label(batch.encoding)}、"
                f"{batch.row_count:,}行）。列の対応を確認してください。",
            )
            return redirect("linkage:import_mapping", pk=batch.pk)
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "linkage/import_new.html", {"form": form}, status=status)


@personal_data_view("linkage.review")
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.get_batch_for_user(request.user, pk, for_write=True)
    if batch.status not in (ImportStatus.UPLOADED, ImportStatus.MAPPED, ImportStatus.INVALID):
        return redirect("linkage:import_detail", pk=batch.pk)
    header, rows = csvfile.batch_rows(batch)
    initial = {k: v for k, v in (batch.mapping or {}).items()}
    form = ImportMappingForm(request.POST or None, header=header, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.import_map(by=request.user, batch=batch, mapping=form.mapping())
            batch = services.import_validate(by=request.user, batch=batch)
            if batch.status == ImportStatus.VALIDATED:
                batch = services.import_start(by=request.user, batch=batch)
        except ValidationError as exc:
            add_service_errors(form, exc, {})
        except PermissionDenied:
            raise
        else:
            # an invalid file: the status page itself shows the summary and the rows
            if batch.status != ImportStatus.INVALID:
                messages.success(request, "すべての行を確認しました。取り込みを始めます。")
            return redirect("linkage:import_detail", pk=batch.pk)
    preview = rows[:PREVIEW_ROWS]
    audit_read(
        request,
        "linkage.import_preview",
        batch,
        context={"rows_shown": len(preview), "filename": batch.original_filename},
    )
    width = len(header)
    return render(
        request,
        "linkage/import_mapping.html",
        {
            "batch": batch,
            "form": form,
            "header": header,
            "preview": [(row + [""] * width)[:width] for row in preview],
            "encoding_label": csvfile.encoding_label(batch.encoding),
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@personal_data_view("linkage.review")
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.get_batch_for_user(request.user, pk)
    page = None
    records = []
    result = None
    written = batch.created_count + batch.matched_count
    if batch.status == ImportStatus.DONE or (batch.status == ImportStatus.FAILED and written):
        page = Paginator(selectors.import_records(batch), RECORDS_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        records = list(page.object_list)
        for r in records:
            r.outcome_label = selectors.OUTCOME_LABELS.get(r.outcome, r.get_outcome_display())
        result = selectors.import_results([batch.pk])[batch.pk]
    elif batch.status == ImportStatus.INVALID:
        page = Paginator(batch.errors or [], ERRORS_PAGE_SIZE).get_page(request.GET.get("page"))
    audit_read(
        request,
        "linkage.import_view",
        batch,
        persons=[r.person_id for r in records if r.person_id],
        context={"status": batch.status, "page": str(page.number) if page else ""},
    )
    return render(
        request,
        "linkage/import_detail.html",
        {
            "batch": batch,
            "page": page,
            "query": "",
            "records": records,
            "result": result,
            "progress": selectors.progress(batch),
            "encoding_label": csvfile.encoding_label(batch.encoding),
        },
    )


@personal_data_view("linkage.review")
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment, with the status line as an out-of-band swap (read only)."""
    batch = selectors.get_batch_for_user(request.user, pk)
    response = render(
        request,
        "linkage/import_progress.html",
        {"batch": batch, "progress": selectors.progress(batch), "oob": True},
    )
    if not batch.is_running and request.headers.get("HX-Request"):
        # reload the whole page once, to show the result
        response["HX-Redirect"] = reverse("linkage:import_detail", args=[batch.pk])
    return response


@personal_data_view("linkage.review")
@require_POST
def import_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand an import that was interrupted (or never started) to the background job again."""
    batch = selectors.get_batch_for_user(request.user, pk, for_write=True)
    try:
        services.import_start(by=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, "、".join(exc.messages))
    else:
        messages.success(request, "取り込みを再開しました。残りの行を取り込んでいます。")
    return redirect("linkage:import_detail", pk=batch.pk)
