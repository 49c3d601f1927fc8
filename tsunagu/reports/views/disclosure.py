"""開示請求に応じる: the program office's page for a person's disclosure request
(``/persons/<id>/disclosure/``): how many records each part of the answer holds, and the form
of the request's reference number and date that makes the Excel workbook or the PDF.

Only the office opens it; anyone else, signed in, gets 404 (a person's existence is personal
data too). The page's read and every file are audited; a file only with a reference number.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from ..disclosure import answer
from ..forms import DisclosureRequestForm


def _page(request, subject, form, status: int = 200) -> HttpResponse:
    parts = answer.summary(subject)
    answer.audit_view(request, subject, parts)
    return render(
        request,
        "reports/disclosure.html",
        {"person": subject.person, "parts": parts, "form": form},
        status=status,
    )


# not personal_data_view: anyone but the office gets 404, not 403 (the answer decides it);
# signed-in pages are never cached (accounts.security.NoStoreMiddleware)
@login_required
def person_disclosure(request: HttpRequest, pk: int) -> HttpResponse:
    subject = answer.get_subject_for_user(request.user, pk)
    if request.method != "POST":
        return _page(request, subject, DisclosureRequestForm())
    form = DisclosureRequestForm(request.POST)
    fmt = request.POST.get("format", "")
    valid = form.is_valid()
    if fmt not in answer.FORMATS:
        form.add_error(None, "Excel か PDF のどちらで作るかを選んでください。")
        valid = False
    if not valid:
        return _page(request, subject, form, status=422)
    return answer.respond(request, subject, fmt, form.cleaned_data)


urls = [
    path("persons/<int:pk>/disclosure/", person_disclosure, name="person_disclosure"),
]
