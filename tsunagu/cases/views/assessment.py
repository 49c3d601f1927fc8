"""Screens of the インテーク・アセスメントシート: a version read-only, and the form that
records a new version starting from the latest one.

Whoever may see the case reads the sheet; only the case's coordinator and the municipal
office record it (others get 403). A case the user may not see answers 404. A section
withheld from the user (tax information, ``withheld_sections``) is shown as withheld, is not
on the form, and is carried over into the new version unchanged.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tsunagu.accounts import selectors as agency_selectors
from tsunagu.audit.services import audit_read
from tsunagu.cases import selectors
from tsunagu.cases.models import Assessment, Case
from tsunagu.cases.selectors import assessment as assessment_selectors
from tsunagu.cases.services import assessment as assessment_services
from tsunagu.common.forms import BootstrapForm
from tsunagu.common.views import personal_data_view

NOTE_MAX = 200
AGENCY_LIST_ID = "assessment-agencies"  # the one <datalist> every section's picker uses
UNKNOWN_AGENCY = (
    "「{typed}」は支援関係機関の一覧にありません。情報元の機関は一覧から選んでください。"
)


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


@personal_data_view("cases.use")
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk, content=True)
    version = _requested_version(request)
    shown = assessment_selectors.assessment_get(case=case, version=version)
    if version is not None and shown is None:
        raise Http404("指定された版はありません。")
    versions = assessment_selectors.assessment_versions(case=case)
    _audit(request, case, shown)
    return render(
        request,
        "cases/assessment_detail.html",
        {
            "case": case,
            "shown": shown,
            "cards": assessment_selectors.section_cards(shown, user=request.user) if shown else [],
            "tax_withheld": assessment_selectors.TAX_WITHHELD,
            "versions": list(reversed(versions)),
            "latest_version": versions[-1].version if versions else None,
            "may_record": _may_record(request, case) and assessment_selectors.is_assessable(case),
            "may_manage": _may_record(request, case),
        },
    )


# ---------------------------------------------------------------------------- recording


def _typed(value) -> str:
    return unicodedata.normalize("NFKC", str(value or "")).strip()


class AgencyPickerField(forms.Field):
    """An agency typed or picked by name from the page's one shared list of agencies.

    The browser sends the agency's label (its name; the area is added where two agencies
    share a name), or its id. The cleaned value is the ``Agency``, or None when left empty;
    anything else is refused with a Japanese message.
    """

    widget = forms.TextInput

    def __init__(self, *, labels: dict, **kwargs):
        super().__init__(**kwargs)
        self.labels = labels  # Agency -> label, in the order of the list
        self.by_label = {_typed(label): agency for agency, label in labels.items()}
        self.by_pk = {agency.pk: agency for agency in labels}

    def to_python(self, value):
        typed = _typed(value)
        if not typed:
            return None
        found = self.by_label.get(typed)
        if found is None and typed.isdigit():
            found = self.by_pk.get(int(typed))
        if found is None:
            raise ValidationError(UNKNOWN_AGENCY.format(typed=typed[:50]), code="unknown")
        return found

    def prepare_value(self, value):
        """An id (the initial value of a recorded source) is shown as the agency's label."""
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            agency = self.by_pk.get(int(value))
            if agency is not None:
                return self.labels[agency]
        return value


def agency_labels(agencies: Iterable) -> dict:
    """Agency -> the label the picker shows and sends: the name, and the area as well for
    names that more than one agency bears."""
    agencies = list(agencies)
    repeated = Counter(a.name for a in agencies)
    return {a: a.name if repeated[a.name] == 1 else f"{a.name}（{a.area.name}）" for a in agencies}


class AssessmentForm(BootstrapForm):
    """One textarea per section, and per section an optional agency the information came from,
    picked from one list of agencies that the page sends once (``agency_options``).

    The ``withheld`` sections (tax information the user may not see) have no fields: the
    service carries them over from the latest version."""

    def __init__(self, *args, agencies: Iterable = (), withheld: Iterable[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.agency_labels = agency_labels(agencies)
        self.withheld = frozenset(withheld)
        for code, label in assessment_selectors.SECTIONS:
            if code in self.withheld:
                continue
            self.fields[code] = forms.CharField(
                label=label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[f"{code}_source"] = AgencyPickerField(
                label=f"{label}の情報元",
                required=False,
                labels=self.agency_labels,
                widget=forms.TextInput(
                    attrs={
                        "list": AGENCY_LIST_ID,
                        "autocomplete": "off",
                        "data-agency-picker": "",
                        "placeholder": "機関名・読みで検索",
                        "aria-describedby": "agency-picker-help",
                    }
                ),
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

    def agency_options(self) -> list[dict]:
        """The shared list: label and reading of each agency, in 50音 order."""
        return [
            {"label": label, "kana": agency.name_kana}
            for agency, label in self.agency_labels.items()
        ]

    def rows(self) -> list[dict]:
        return [
            {"code": code, "label": label, "withheld": True}
            if code in self.withheld
            else {
                "code": code,
                "label": label,
                "withheld": False,
                "text": self[code],
                "source": self[f"{code}_source"],
                "note": self[f"{code}_source_note"],
            }
            for code, label in assessment_selectors.SECTIONS
        ]

    def _codes(self) -> list[str]:
        return [c for c in assessment_selectors.SECTION_CODES if c not in self.withheld]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "sections": {code: data[code] for code in self._codes()},
            "sources": [
                (code, data[f"{code}_source"], data[f"{code}_source_note"])
                for code in self._codes()
                if data.get(f"{code}_source")
            ],
        }


def _initial(latest: Assessment | None, withheld: frozenset[str]) -> dict:
    """The latest version's text and first source of each section the user may see."""
    if latest is None:
        return {}
    initial = {
        code: getattr(latest, code)
        for code in assessment_selectors.SECTION_CODES
        if code not in withheld
    }
    for source in latest.sources.all():
        if source.section in withheld:
            continue
        # the form carries one source per section: the first one named
        initial.setdefault(f"{source.section}_source", source.agency_id)
        initial.setdefault(f"{source.section}_source_note", source.note)
    return initial


@personal_data_view("cases.use")
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk, content=True, for_write=True)
    latest = assessment_selectors.assessment_get(case=case)
    withheld = (
        assessment_selectors.withheld_sections(latest, request.user) if latest else frozenset()
    )
    agencies = list(agency_selectors.agency_list(user=request.user))
    if request.method == "POST":
        form = AssessmentForm(request.POST, agencies=agencies, withheld=withheld)
        if form.is_valid():
            try:
                recorded = assessment_services.assessment_record(
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
        form = AssessmentForm(
            initial=_initial(latest, withheld), agencies=agencies, withheld=withheld
        )
        _audit(request, case, latest, "assessment_edit")
    return render(
        request,
        "cases/assessment_form.html",
        {
            "case": case,
            "form": form,
            "latest": latest,
            "may_record": assessment_selectors.is_assessable(case),
            "tax_withheld": assessment_selectors.TAX_WITHHELD,
        },
    )
