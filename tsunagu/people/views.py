"""Pages for persons (本人) and households (世帯): search, the "known?" check, registration.

Every page needs the permission ``people.use``; a person or household the user may not see
answers 404. Each page that shows personal data records one audited read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tsunagu import access
from tsunagu.audit.services import audit_read
from tsunagu.common.form_token import form_token_once
from tsunagu.common.paging import COUNT_CAP, CappedPaginator, rows_by_ids
from tsunagu.common.spreadsheet import (
    audit_export,
    export_format,
    filter_lines,
    query_without_page,
    stream_list,
)
from tsunagu.common.views import is_partial, personal_data_view
from tsunagu.linkage.normalize import split_name

from . import export, panels, selectors, services
from .forms import HouseholdForm, KnownCheckForm, MemberRelationForm, PersonForm, PersonSearchForm
from .models import Household, Person, Relation

PAGE_SIZE = 25


# --- helpers ----------------------------------------------------------------


def _add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form (unknown keys become form-level errors)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error.messages)
    else:
        form.add_error(None, exc.messages)
    form.mark_invalid()


@dataclass
class PersonRow:
    person: Person
    age: int | None
    households: list = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    probability: float | None = None
    band: str = ""
    #: What must be weighed before taking the two for one person (a father of the same name
    #: in the household …), in Japanese; "" when nothing.
    caution: str = ""

    @property
    def percent(self) -> str:
        """The match probability as the screens show it (never 100 %, never 0 %)."""
        if self.probability is None:
            return ""
        # rounded down, so that a figure never reads as a higher band than the badge says
        value = min(self.probability * 100, 99.9)
        if value >= 95:
            return f"{math.floor(value * 10) / 10:.1f}"
        return str(max(math.floor(value), 1))


def _audit_known_check(request, result) -> None:
    audit_read(
        request,
        "person.known_check",
        persons=[m.person_id for m in result.matches],
        context={
            "visible": len(result.matches) - result.hidden_count,
            "hidden": result.hidden_count,
        },
    )


def _known_context(result) -> dict:
    """What the "known?" partial may show: visible records, and only a count of the others."""
    if result is None:
        return {"checked": False}
    today = selectors.today()
    visible = [
        PersonRow(
            person=m.person,
            age=m.person.age_on(today),
            reasons=m.reasons[1:] if m.caution else m.reasons,
            probability=m.probability,
            band=m.band,
            caution=m.caution,
        )
        for m in result.matches
        if m.visible
    ]
    return {
        "checked": True,
        "found": result.found,
        "visible_matches": visible,
        "hidden_count": result.hidden_count,
        "contacts": result.contacts,
        "common_name": result.common_name,
    }


# --- persons ----------------------------------------------------------------


@personal_data_view("people.use")
def person_list(request: HttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    filters = form.cleaned_data if form.is_bound else {}
    q = filters.get("q", "")
    birth_date = filters.get("birth_date")
    fmt = export_format(request) if valid else ""
    if fmt:
        qs = selectors.person_search(user=request.user, q=q, birth_date=birth_date)
        return _person_export(request, form, qs, fmt)
    if not valid:
        page = CappedPaginator([], PAGE_SIZE).get_page(1)
        persons = []
    elif q or birth_date:
        # the ids of every row the list pages through (up to the cap, and one more to tell
        # that there are more), from the name indexes; then the page's persons
        ids = selectors.person_search_ids(
            user=request.user, q=q, birth_date=birth_date, limit=COUNT_CAP + 1
        )
        page = CappedPaginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
        persons = rows_by_ids(access.persons_visible_to(request.user), list(page.object_list))
    else:
        qs = selectors.person_search(user=request.user)
        page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        persons = list(page.object_list)
    today = selectors.today()
    households = selectors.households_by_person(
        user=request.user, person_ids=[p.pk for p in persons]
    )
    rows = [PersonRow(person=p, age=p.age_on(today), households=households[p.pk]) for p in persons]
    context = {"q": q}
    if birth_date:
        context["birth_date"] = birth_date
    audit_read(request, "person.search", persons=[row.person.pk for row in rows], context=context)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query_without_page(request),
        "total": page.paginator.count,
        "total_label": page.paginator.count_label,
        "searched": bool(q or birth_date),
    }
    template = "people/_person_rows.html" if is_partial(request) else "people/person_list.html"
    return render(request, template, context)


def _person_export(request: HttpRequest, form, qs, fmt: str) -> HttpResponse:
    """Every person the search finds, as a file; one audited read naming them all."""
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_bound else {}
    audit_export(
        request,
        "person.search",
        fmt=fmt,
        title=export.TITLE,
        count=qs.count(),
        persons=qs.order_by().values_list("pk", flat=True),
        filters=filters,
    )
    return stream_list(
        fmt,
        title=export.TITLE,
        header=export.HEADER,
        rows=export.rows(request.user, qs),
        widths=export.WIDTHS,
        about=filter_lines(form),
        filename_ascii="persons",
        filename_ja=export.TITLE,
    )


@personal_data_view("people.use")
def known_check(request: HttpRequest) -> HttpResponse:
    form = KnownCheckForm(request.GET)
    form.is_valid()  # an unreadable birth date is simply left out of the check
    name = form.cleaned_data.get("name", "")
    name_kana = form.cleaned_data.get("name_kana", "")
    result = None
    if name or name_kana:
        data = form.cleaned_data
        result = selectors.known_person_check(
            user=request.user,
            name=name,
            name_kana=name_kana,
            birth_date=data.get("birth_date"),
            sex=data.get("sex", ""),
            address=data.get("address", ""),
            phones=(data.get("phone", ""), data.get("mobile_phone", "")),
        )
        _audit_known_check(request, result)
    return render(request, "people/_known_check.html", _known_context(result))


def _member_target(request) -> tuple[Household | None, str]:
    """The household a new person joins (``?household=<id>&relation=<code>``), if any."""
    if not request.GET.get("household"):
        return None, ""
    household = selectors.get_household_for_user(request.user, request.GET["household"])
    relation = request.GET.get("relation", "")
    return household, relation if relation in Relation.values else ""


@personal_data_view("people.use")
@form_token_once
def person_create(request: HttpRequest) -> HttpResponse:
    household, relation = _member_target(request)
    with_relation = household is not None
    result = None
    if request.method == "POST":
        form = PersonForm(request.POST, with_relation=with_relation)
        confirming = bool(request.POST.get("duplicate_step"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    person = services.person_register(
                        by=request.user,
                        confirm_not_duplicate=data["confirm_not_duplicate"],
                        duplicate_reason=data["duplicate_reason"].strip(),
                        **form.person_fields(),
                    )
                    if household is not None:
                        services.household_add_member(
                            by=request.user,
                            household=household,
                            person=person,
                            relation=data["relation"],
                        )
            except services.DuplicateSuspected as exc:
                result = exc.result
                if confirming:
                    form.add_error(
                        "confirm_not_duplicate",
                        "上記の方と別の方として登録する場合は、チェックを入れてください。",
                    )
                else:
                    form.add_error(None, exc.messages)
                form.mark_invalid()
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                if household is not None:
                    messages.success(
                        request, f"{person.name}さんを登録し、{household.label}に追加しました。"
                    )
                    return redirect("people:household_detail", pk=household.pk)
                messages.success(request, f"{person.name}さんを登録しました。")
                return redirect("people:person_detail", pk=person.pk)
        elif confirming and form.cleaned_data.get("name") and "name_kana" in form.cleaned_data:
            # still on the confirmation step: show the possible matches again
            data = form.cleaned_data
            result = selectors.known_person_check(
                user=request.user,
                name=data["name"],
                name_kana=data["name_kana"],
                birth_date=data.get("birth_date"),
                sex=data.get("sex", ""),
                address=data.get("address", ""),
                phones=(data.get("phone", ""), data.get("mobile_phone", "")),
            )
            if not result.found:
                result = None
        if result is not None:
            _audit_known_check(request, result)
    else:
        form = PersonForm(with_relation=with_relation, initial={"relation": relation})
    if household is not None:
        audit_read(
            request,
            "household.view",
            household,
            persons=[m.person_id for m in household.current_members],
            context={"page": "person_create"},
        )
    context = {
        "form": form,
        "household": household,
        "duplicate": result is not None and result.found,
        **_known_context(result),
    }
    return render(request, "people/person_form.html", context)


@personal_data_view("people.use")
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_person_for_user(request.user, pk)
    households = list(selectors.households_of(user=request.user, person=person))
    sections, shown = panels.render_panels(panels.person_panels(), request.user, person)
    audit_read(request, "person.view", person, persons=[person.pk], context=shown)
    return render(
        request,
        "people/person_detail.html",
        {
            **sections,
            "person": person,
            "age": person.age_on(selectors.today()),
            "households": households,
        },
    )


# --- households -------------------------------------------------------------


@personal_data_view("people.use")
@form_token_once
def household_create(request: HttpRequest) -> HttpResponse:
    head = None
    if request.GET.get("person"):
        head = selectors.get_person_for_user(request.user, request.GET["person"])
    if request.method == "POST":
        form = HouseholdForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    household = services.household_create(
                        by=request.user,
                        label=data["label"],
                        address=data["address"],
                        notes=data["notes"],
                    )
                    if head is not None:
                        services.household_add_member(
                            by=request.user, household=household, person=head, relation="head"
                        )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, f"{household.label}を登録しました。")
                return redirect("people:household_detail", pk=household.pk)
    else:
        initial = {}
        if head is not None:
            family = split_name(head.name)[0]
            initial = {"label": f"{family}世帯", "address": head.address}
        form = HouseholdForm(initial=initial)
    if head is not None:
        audit_read(
            request, "person.view", head, persons=[head.pk], context={"page": "household_create"}
        )
    return render(request, "people/household_form.html", {"form": form, "head": head})


@dataclass
class MemberRow:
    member: object
    person: Person
    age: int | None
    may_view: bool


@personal_data_view("people.use")
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.get_household_for_user(request.user, pk)
    today = selectors.today()
    visible = selectors.visible_person_ids(
        request.user, [m.person_id for m in household.current_members]
    )  # one query for the members; the panels' own checks then find the answers kept
    members = [
        MemberRow(
            member=m,
            person=m.person,
            age=m.person.age_on(today),
            may_view=m.person_id in visible,
        )
        for m in household.current_members
    ]
    sections, shown = panels.render_panels(panels.household_panels(), request.user, household)
    audit_read(
        request,
        "household.view",
        household,
        persons=[row.person.pk for row in members if row.may_view],
        context=shown,
    )
    return render(
        request,
        "people/household_detail.html",
        {
            **sections,
            "household": household,
            "members": members,
            "relation_form": MemberRelationForm(),
            "show_subject": True,
        },
    )
