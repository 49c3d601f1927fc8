"""名寄せ screens: the review queue, one pair side by side (confirm / reject), and merges
with 「元に戻す」.

Every page needs ``linkage.review`` (the municipal program office or a coordinator); a pair
or merge about a person the user may not see answers 404. Each page showing personal data
records one audited read.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tsunagu.audit.services import audit_read
from tsunagu.common.spreadsheet import audit_export, export_format, stream_list
from tsunagu.common.views import personal_data_view
from tsunagu.people.models import Person
from tsunagu.people.selectors import visible_person_ids

from .. import export
from ..forms import BandFilterForm, ConfirmForm, RejectForm, UnmergeForm
from ..models import CandidateStatus
from ..selectors import review as selectors
from ..services import merge as merge_services
from ..services import review as review_services
from ..services.shared import LinkageConflict
from .base import PAGE_SIZE, add_service_errors

# --- the review queue -------------------------------------------------------------------


@personal_data_view("linkage.review")
def review_list(request: HttpRequest) -> HttpResponse:
    form = BandFilterForm(request.GET or None)
    band = form.cleaned_data.get("band", "") if form.is_bound and form.is_valid() else ""
    qs = selectors.candidate_list(user=request.user, band=band)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    candidates = list(page.object_list)
    for c in candidates:
        c.reason_labels = selectors.reason_labels(c.reasons)
        c.cautions = selectors.cautions(c)
    persons = sorted({pid for c in candidates for pid in (c.person_a_id, c.person_b_id)})
    context = {"page": str(page.number)}
    if band:
        context["band"] = band
    audit_read(request, "linkage.candidate_list", persons=persons, context=context)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "linkage/review_list.html",
        {
            "form": form,
            "page": page,
            "candidates": candidates,
            "query": query.urlencode(),
            "total": page.paginator.count,
        },
    )


def _detail(request, candidate, *, confirm_form=None, reject_form=None, status=200):
    today = timezone.localdate()
    profiles = []
    for person in (candidate.person_a, candidate.person_b):
        profile = selectors.person_profile(user=request.user, person=person)
        profile.age = person.age_on(today)
        profiles.append(profile)
    audit_read(
        request,
        "linkage.candidate_view",
        candidate,
        persons=[candidate.person_a_id, candidate.person_b_id],
        context={"status": candidate.status},
    )
    return render(
        request,
        "linkage/review_detail.html",
        {
            "candidate": candidate,
            "profiles": profiles,
            "reason_labels": selectors.reason_labels(candidate.reasons),
            "cautions": selectors.cautions(candidate),
            "pending": candidate.status == CandidateStatus.PENDING,
            "confirm_form": confirm_form or ConfirmForm(candidate=candidate, prefix="confirm"),
            "reject_form": reject_form or RejectForm(prefix="reject"),
        },
        status=status,
    )


@personal_data_view("linkage.review")
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.get_candidate_for_user(request.user, pk))


@personal_data_view("linkage.review")
@require_POST
def review_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.get_candidate_for_user(request.user, pk, for_write=True)
    form = ConfirmForm(request.POST, candidate=candidate, prefix="confirm")
    if form.is_valid():
        try:
            merge = review_services.candidate_confirm(
                by=request.user,
                candidate=candidate,
                survivor=Person(pk=form.cleaned_data["survivor"]),
                note=form.cleaned_data["note"],
            )
        except LinkageConflict as exc:
            messages.error(request, exc.messages[0])
            return redirect("linkage:review_detail", pk=candidate.pk)
        except ValidationError as exc:
            add_service_errors(form, exc, {})
        else:
            messages.success(request, "同一人物として統合しました。「元に戻す」で取り消せます。")
            return redirect("linkage:merge_detail", pk=merge.pk)
    return _detail(request, candidate, confirm_form=form, status=400)


@personal_data_view("linkage.review")
@require_POST
def review_reject(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.get_candidate_for_user(request.user, pk, for_write=True)
    form = RejectForm(request.POST, prefix="reject")
    if form.is_valid():
        try:
            review_services.candidate_reject(
                by=request.user, candidate=candidate, note=form.cleaned_data["note"]
            )
        except LinkageConflict as exc:
            messages.error(request, exc.messages[0])
            return redirect("linkage:review_detail", pk=candidate.pk)
        except ValidationError as exc:
            add_service_errors(form, exc, {})
        else:
            messages.success(
                request, "別人と判断しました。この組み合わせは再び確認対象になりません。"
            )
            return redirect("linkage:review_list")
    return _detail(request, candidate, reject_form=form, status=400)


# --- merges -----------------------------------------------------------------------------


@personal_data_view("linkage.review")
def merge_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.merge_list(user=request.user)
    fmt = export_format(request)
    if fmt:
        pairs = qs.order_by().values_list("survivor_id", "merged_id")
        audit_export(
            request,
            "linkage.merge_list",
            fmt=fmt,
            title=export.MERGES,
            count=qs.count(),
            persons={pid for pair in pairs for pid in pair},
        )
        return stream_list(
            fmt,
            title=export.MERGES,
            header=export.MERGE_HEADER,
            rows=export.merge_rows(qs),
            widths=export.MERGE_WIDTHS,
            about=[["条件", "なし（すべて）"]],
            filename_ascii="merges",
            filename_ja=export.MERGES,
        )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    merges = list(page.object_list)
    persons = sorted({pid for m in merges for pid in (m.survivor_id, m.merged_id)})
    audit_read(request, "linkage.merge_list", persons=persons, context={"page": str(page.number)})
    return render(
        request,
        "linkage/merge_list.html",
        {"page": page, "merges": merges, "query": "", "total": page.paginator.count},
    )


def _merge_page(request, merge, *, form=None, status=200):
    audit_read(
        request,
        "linkage.merge_view",
        merge,
        persons=[merge.survivor_id, merge.merged_id],
    )
    moved: dict[str, int] = {}
    labels = {
        "cases.case": "多機関協働の事例",
        "consultations.consultation": "相談",
        "consultations.referral": "つなぎ",
        "people.householdmember": "世帯員としての記録",
    }
    for row in merge.moved:
        label = labels.get(row["model"], row["model"])
        moved[label] = moved.get(label, 0) + 1
    # 本人の記録 links only to a record the user may open (not archived, visible)
    linkable = visible_person_ids(request.user, [merge.survivor_id, merge.merged_id])
    return render(
        request,
        "linkage/merge_detail.html",
        {
            "merge": merge,
            "moved": moved,
            "linkable": linkable,
            "form": form or UnmergeForm(),
            "today": timezone.localdate(),
        },
        status=status,
    )


@personal_data_view("linkage.review")
def merge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _merge_page(request, selectors.get_merge_for_user(request.user, pk))


@personal_data_view("linkage.review")
@require_POST
def merge_unmerge(request: HttpRequest, pk: int) -> HttpResponse:
    merge = selectors.get_merge_for_user(request.user, pk, for_write=True)
    form = UnmergeForm(request.POST)
    if form.is_valid():
        try:
            merge_services.person_unmerge(
                by=request.user, merge=merge, reason=form.cleaned_data["reason"]
            )
        except LinkageConflict as exc:
            messages.error(request, exc.messages[0])
            return redirect("linkage:merge_detail", pk=merge.pk)
        except ValidationError as exc:
            add_service_errors(form, exc, {})
        else:
            messages.success(request, "統合を元に戻しました。2件の記録は別々の本人に戻りました。")
            return redirect("linkage:merge_detail", pk=merge.pk)
    return _merge_page(request, merge, form=form, status=400)
