"""The answer to a disclosure request over the API (``/api/v1/reports/persons/{id}/
disclosure.xlsx`` and ``.pdf``): the same file, rules and audit as the page. Only the program
office; anyone else gets 404. The request's reference number (``reference``) and date
(``requested_on``) are required: without them, 422 with the field's message."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Router

from tsunagu.api.schemas import ErrorOut, InvalidOut

from ..disclosure import answer
from ..forms import DisclosureRequestForm

router = Router()

MEDIA = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
    "pdf": ("application/pdf", "A4 の PDF"),
}


def _file(request, person_id: int, fmt: str, reference, requested_on, note) -> HttpResponse:
    subject = answer.get_subject_for_user(request.user, person_id)
    form = DisclosureRequestForm(
        {"reference": reference or "", "requested_on": requested_on or "", "note": note or ""}
    )
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return answer.respond(request, subject, fmt, form.cleaned_data)


def _responses(fmt: str) -> dict:
    media, label = MEDIA[fmt]
    return {
        "responses": {
            200: {
                "description": f"開示請求への回答（{label}）",
                "content": {media: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


DESCRIPTION = """この方の記録のすべて（本人・世帯・相談・つなぎ・事例・同意・支援プラン・支援経過・
会議・アウトリーチ・参加支援・見守り）と、閲覧の根拠、閲覧・変更の履歴（監査ログ、新しい順）を
返します。自治体の事務局だけが使えます（ほかの方には 404）。`reference`（開示請求の受付番号）と
`requested_on`（請求日。和暦・西暦のどちらでも）は必須です。作成は監査ログに記録されます。"""


@router.get(
    "/persons/{person_id}/disclosure.xlsx",
    response={404: ErrorOut, 422: InvalidOut},
    summary="開示請求への回答（Excel、事務局のみ）",
    description=DESCRIPTION,
    openapi_extra=_responses("xlsx"),
)
def disclosure_xlsx(
    request,
    person_id: int,
    reference: str | None = None,
    requested_on: str | None = None,
    note: str | None = None,
):
    return _file(request, person_id, "xlsx", reference, requested_on, note)


@router.get(
    "/persons/{person_id}/disclosure.pdf",
    response={404: ErrorOut, 422: InvalidOut},
    summary="開示請求への回答（A4 の PDF、事務局のみ）",
    description=DESCRIPTION,
    openapi_extra=_responses("pdf"),
)
def disclosure_pdf(
    request,
    person_id: int,
    reference: str | None = None,
    requested_on: str | None = None,
    note: str | None = None,
):
    return _file(request, person_id, "pdf", reference, requested_on, note)
