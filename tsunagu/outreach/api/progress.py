"""The steps of an outreach record over the API: its stage, the person's consent (利用申込),
urgency, the hand-over to 多機関協働, closing and reopening. Each step is kept in the
record's history (who, when, why) and audited by the services."""

from ninja import Router, Schema, Status

from tsunagu.api.errors import api_fields, invalid
from tsunagu.api.inputs import date_input
from tsunagu.consultations import selectors as consultation_selectors

from .. import selectors, services
from .answer import STEP_ERRORS, agency_of, record_answer, working
from .schemas import OutreachRecordDetailOut

router = Router()


class OutreachStageIn(Schema):
    stage: str = ""
    occurred_on: str | None = None
    reason: str = ""


class OutreachConsentIn(Schema):
    consented_on: str | None = None
    consent_method: str = ""
    consent_note: str = ""


class OutreachUrgentIn(Schema):
    note: str = ""


class OutreachHandoverIn(Schema):
    to_agency_id: int | None = None
    reason: str = ""
    tried_with_agencies: str = ""
    criterion_household: bool = False
    criterion_gap: bool = False
    criterion_new_resource: bool = False
    categories: list[str] = []


class OutreachCloseIn(Schema):
    closed_on: str | None = None
    closure_reason: str = ""
    closure_note: str = ""
    connected_agency_id: int | None = None
    connected_referral_id: int | None = None


class OutreachReopenIn(Schema):
    reason: str = ""


def _categories(codes: list[str]) -> list:
    """Active 相談内容の分類 by code, in the order given; an unknown code is refused."""
    found = {c.code: c for c in consultation_selectors.active_categories().filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise invalid({"categories": f"相談内容の分類が見つかりません：{'、'.join(unknown)}"})
    return [found[code] for code in dict.fromkeys(codes)]


@router.post(
    "/outreach/records/{record_id}/stage",
    response={200: OutreachRecordDetailOut, **STEP_ERRORS},
    summary="段階の変更（戻すこともできます。日付と理由を記録）",
)
def stage_change(request, record_id: int, payload: OutreachStageIn):
    """``stage`` は ``gathering``（①情報収集）、``preparation``（②事前調整）、
    ``relationship``（③関係性構築）、``home_visit``（④家庭訪問）、``accompanying``
    （⑤同行支援）。順番どおりでなくてもよく、前の段階に戻すときは ``reason`` が必要です。
    ``occurred_on`` は和暦・西暦のどちらでも（開始日より前・未来は不可）。終了した対象は
    再開するまで 409 です。"""
    record = working(request, record_id)
    services.stage_change(
        by=request.user,
        record=record,
        to=payload.stage,
        occurred_on=date_input(payload.occurred_on, "occurred_on"),
        reason=payload.reason,
    )
    return record_answer(request, record)


@router.post(
    "/outreach/records/{record_id}/consent",
    response={200: OutreachRecordDetailOut, **STEP_ERRORS},
    summary="同意（利用申込）の記録：同意前 → 同意後",
)
def consent_record(request, record_id: int, payload: OutreachConsentIn):
    """本人が特定され（本人と結び付いてい）ることが必要です（ないときは 409）。
    ``consent_method`` は ``signed``（申込書に署名）、``oral``（口頭。記録者・立会人あり）、
    ``guardian``（保護者・後見人による申込）。``consented_on`` は和暦・西暦のどちらでも
    指定できます。同意の後の計画は重層的支援会議で協議します。"""
    record = working(request, record_id)
    services.consent_record(
        by=request.user,
        record=record,
        consented_on=date_input(payload.consented_on, "consented_on"),
        method=payload.consent_method,
        note=payload.consent_note,
    )
    return record_answer(request, record)


@router.post(
    "/outreach/records/{record_id}/urgent",
    response={200: OutreachRecordDetailOut, **STEP_ERRORS},
    summary="緊急の指定（連絡した先と日時を記録）",
)
@api_fields({"urgent_note": "note"})
def urgent_set(request, record_id: int, payload: OutreachUrgentIn):
    """``note`` に連絡した先（警察・救急・保健所など）と日時を記録します。緊急の対象は
    担当一覧の先頭に並びます。"""
    record = working(request, record_id)
    services.urgent_set(by=request.user, record=record, note=payload.note)
    return record_answer(request, record)


@router.post(
    "/outreach/records/{record_id}/urgent/clear",
    response={200: OutreachRecordDetailOut, **STEP_ERRORS},
    summary="緊急の解除",
)
def urgent_clear(request, record_id: int, payload: OutreachUrgentIn = None):
    """緊急になっていない対象は 409 です。``note`` に解除の事情を残せます。"""
    record = working(request, record_id)
    services.urgent_clear(by=request.user, record=record, note=payload.note if payload else "")
    return record_answer(request, record)


@router.post(
    "/outreach/records/{record_id}/handover",
    response={201: OutreachRecordDetailOut, **STEP_ERRORS},
    summary="多機関協働へのつなぎ（同意の後。対象は事例と並んで継続）",
)
@api_fields({"to_agency": "to_agency_id"})
def handover(request, record_id: int, payload: OutreachHandoverIn):
    """同意（利用申込）の記録の後、アウトリーチ実施機関の相談として受け付け、多機関協働
    事業を実施する機関（``to_agency_id``）へつなぎます。基準①②③（``criterion_household``
    世帯の複合課題、``criterion_gap`` 制度の狭間、``criterion_new_resource`` 社会資源の
    開発が必要）のうち1つ以上、これまでに他機関と連携して試みたこと
    （``tried_with_agencies``）、相談内容の分類コード（``categories``、例：
    ``hikikomori``）を添えます。同意の前や、既につないで差し戻されていない対象は 409 です。
    作られたつなぎは ``handover_referral_id`` です。差し戻された後は、もう一度つなぐことが
    できます（いまのつなぎは ``current_handover_referral_id``）。"""
    record = working(request, record_id)
    if payload.to_agency_id is None:
        raise invalid({"to_agency_id": "つなぎ先の機関を選んでください。"})
    to_agency = agency_of(request, payload.to_agency_id, "to_agency_id")
    categories = _categories(payload.categories)
    services.handover_to_multi_agency(
        by=request.user,
        record=record,
        to_agency=to_agency,
        reason=payload.reason,
        tried_with_agencies=payload.tried_with_agencies,
        criterion_household=payload.criterion_household,
        criterion_gap=payload.criterion_gap,
        criterion_new_resource=payload.criterion_new_resource,
        categories=categories,
    )
    return Status(201, record_answer(request, record))


@router.post(
    "/outreach/records/{record_id}/close",
    response={200: OutreachRecordDetailOut, **STEP_ERRORS},
    summary="アウトリーチの終了（理由を添えて）",
)
@api_fields(
    {"connected_agency": "connected_agency_id", "connected_referral": "connected_referral_id"}
)
def record_close(request, record_id: int, payload: OutreachCloseIn):
    """``closure_reason`` は ``connected``（適切な機関につながった。``connected_agency_id``
    が必要）、``moved``（転居）、``died``（死亡）、``refused``（本人の強い拒否で一時終了）、
    ``other``（その他）。``refused`` と ``other`` は ``closure_note`` に事情が必要です。
    ``closed_on`` は和暦・西暦のどちらでも指定できます。``connected_referral_id`` には、
    この機関が本人について送ったつなぎ（多機関協働へのつなぎを含む）を指定でき、
    つながった機関はその送り先になります。"""
    record = working(request, record_id)
    connected = agency_of(request, payload.connected_agency_id, "connected_agency_id")
    referral = None
    if payload.connected_referral_id is not None:
        choices = {r.pk: r for r in selectors.closing_referrals(record)}
        referral = choices.get(payload.connected_referral_id)
        if referral is None:
            raise invalid(
                {
                    "connected_referral_id": "つなぎは、この機関が本人について送ったものから"
                    "選んでください。"
                }
            )
    services.record_close(
        by=request.user,
        record=record,
        closed_on=date_input(payload.closed_on, "closed_on"),
        reason=payload.closure_reason,
        note=payload.closure_note,
        connected_agency=connected,
        connected_referral=referral,
    )
    return record_answer(request, record)


@router.post(
    "/outreach/records/{record_id}/reopen",
    response={200: OutreachRecordDetailOut, **STEP_ERRORS},
    summary="終了した対象の再開（経過は残ります）",
)
def record_reopen(request, record_id: int, payload: OutreachReopenIn):
    """``reason`` に再開の理由が必要です。終了していない対象は 409 です。"""
    record = working(request, record_id)
    services.record_reopen(by=request.user, record=record, reason=payload.reason)
    return record_answer(request, record)
