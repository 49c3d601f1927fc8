"""Screens of the インテーク・アセスメントシート: a version read-only, and the form that
records a new version starting from the latest one.

Whoever may see the case reads the sheet; only the case's coordinator and the municipal
office record it (others get 403). A case the user may not see answers 404.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from rules.contrib.views import permission_required

from tsunagu.accounts import selectors as agency_selectors
from tsunagu.audit.services import audit_read
from tsunagu.consultations.forms import BootstrapForm

from . import assessment, selectors
from .models import Assessment, Case

NOTE_MAX = 200


def assessment_view(view: Callable) -> Callable:
    """Signed in, a role that works with persons, and never cached (personal data)."""
    return never_cache(login_required(permission_required("cases.use", raise_exception=True)(view)))


def _case_or_404(request: HttpRequest, pk: int) -> Case:
    return selectors.case_content_or_404(user=request.user, pk=pk)


def _may_record(request: HttpRequest, case: Case) -> bool:
    return request.user.has_perm("cases.manage_case", case)


def _audit(request: HttpRequest, case: Case, shown: Assessment | None, page: str = "") -> None:
    context = {"case": case.pk, "version": shown.version if shown else None}
    if page:
        context["page"] = page
    audit_read(
        request,
        "assessment.view",
        shown if shown is not None else case,
        persons=case.subject_persons(),
        context=context,
    )


# ---------------------------------------------------------------------------- reading


def _requested_version(request: HttpRequest) -> int | None:
    raw = request.GET.get("version", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("指定された版はありません。")
    return int(raw)


@assessment_view
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    version = _requested_version(request)
    shown = assessment.assessment_get(case=case, version=version)
    if version is not None and shown is None:
        raise Http404("指定された版はありません。")
    versions = assessment.assessment_versions(case=case)
    _audit(request, case, shown)
    return render(
        request,
        "cases/assessment_detail.html",
        {
            "case": case,
            "shown": shown,
            "cards": assessment.section_cards(shown) if shown else [],
            "versions": list(reversed(versions)),
            "latest_version": versions[-1].version if versions else None,
            "may_record": _may_record(request, case) and assessment.may_record(case),
            "may_manage": _may_record(request, case),
        },
    )


# ---------------------------------------------------------------------------- recording


class AssessmentForm(BootstrapForm):
    """One textarea per section, and per section an optional agency the information came from."""

    def __init__(self, *args, agencies: Iterable = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.agency_objects = {a.pk: a for a in agencies}
        choices = [("", "（指定しない）"), *((a.pk, a.name) for a in self.agency_objects.values())]
        for code, label in assessment.SECTIONS:
            self.fields[code] = forms.CharField(
                label=label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[f"{code}_source"] = forms.TypedChoiceField(
                label=f"{label}の情報元",
                required=False,
                coerce=int,
                empty_value=None,
                choices=choices,
                error_messages={"invalid_choice": "情報元の機関は選択肢から選んでください。"},
            )
            self.fields[f"{code}_source_note"] = forms.CharField(
                label=f"{label}の情報元の補足",
                required=False,
                max_length=NOTE_MAX,
                error_messages={
                    "max_length": f"情報元の補足は{NOTE_MAX}文字以内で入力してください。"
                },
            )
        # the widgets of the fields added above get their Bootstrap classes too
        for name in self.fields:
            widget = self.fields[name].widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if css not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if name.endswith("_source_note"):
                widget.attrs["placeholder"] = "例：R8.6.1 訪問時に聞き取り"

    def rows(self) -> list[dict]:
        return [
            {
                "code": code,
                "text": self[code],
                "source": self[f"{code}_source"],
                "note": self[f"{code}_source_note"],
            }
            for code, _ in assessment.SECTIONS
        ]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "sections": {code: data[code] for code in assessment.SECTION_CODES},
            "sources": [
                (code, self.agency_objects[data[f"{code}_source"]], data[f"{code}_source_note"])
                for code in assessment.SECTION_CODES
                if data.get(f"{code}_source")
            ],
        }


def _initial(latest: Assessment | None) -> dict:
    if latest is None:
        return {}
    initial = {code: getattr(latest, code) for code in assessment.SECTION_CODES}
    for source in latest.sources.all():
        # the form carries one source per section: the first one named
        initial.setdefault(f"{source.section}_source", source.agency_id)
        initial.setdefault(f"{source.section}_source_note", source.note)
    return initial


@assessment_view
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    if not _may_record(request, case):
        raise PermissionDenied(
            "アセスメントは、事例を担当する多機関協働事業者または事務局が記録します。"
        )
    latest = assessment.assessment_get(case=case)
    agencies = list(agency_selectors.agency_list(user=request.user))
    if request.method == "POST":
        form = AssessmentForm(request.POST, agencies=agencies)
        if form.is_valid():
            try:
                recorded = assessment.assessment_record(
                    by=request.user, case=case, **form.service_arguments()
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request, f"アセスメントシートを記録しました（第{recorded.version}版）。"
                )
                return redirect("cases:assessment_detail", pk=case.pk)
    else:
        form = AssessmentForm(initial=_initial(latest), agencies=agencies)
        _audit(request, case, latest, "assessment_edit")
    return render(
        request,
        "cases/assessment_form.html",
        {
            "case": case,
            "form": form,
            "latest": latest,
            "may_record": assessment.may_record(case),
        },
    )
