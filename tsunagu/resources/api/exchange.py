"""The 社会資源 directory exchanged as HSDS 3.0 (Open Referral's Human Services Data
Specification): the whole directory as JSON tables or as CSV files in a zip, and an import of
such tables (checked whole first: on any error nothing is added, and every bad row is named).
The mapping is described in :mod:`tsunagu.resources.hsds`."""

from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status

from tsunagu.api.schemas import ErrorOut, InvalidOut

from .. import hsds
from .answer import reading
from .schemas import ResourceHsdsCountsOut, ResourceHsdsOut

router = Router()


class ResourceHsdsIn(Schema):
    organizations: list[dict[str, Any]] = []
    services: list[dict[str, Any]] = []
    locations: list[dict[str, Any]] = []
    service_at_locations: list[dict[str, Any]] = []
    schedules: list[dict[str, Any]] = []


@router.get(
    "/resources/hsds.json",
    response={200: ResourceHsdsOut, 403: ErrorOut},
    summary="社会資源の書き出し（HSDS 3.0 の JSON）",
)
def hsds_export(request):
    """すべての社会資源を Open Referral HSDS 3.0 の表の形で返します：``organizations``
    （提供団体）、``services``（社会資源。``assured_date`` が情報確認日、種類は分類
    ``tsunagu-resource-kind`` の ``attributes`` と ``kind``）、``locations``（所在地）、
    ``service_at_locations``（社会資源と所在地の対応）、``schedules``（``freq`` ``WEEKLY``・
    ``MONTHLY``、``byday`` は ``WE`` や第2・第4土曜の ``2SA,4SA``、``opens_at``・
    ``closes_at`` は日本時間の ``HH:MM``）。id は ``tsunagu-org-<番号>`` のように、この
    システムの中で変わりません。受け入れ先の情報と予定の例外は含みません。"""
    reading(request)
    return hsds.export_json()


@router.get(
    "/resources/hsds.zip",
    response={403: ErrorOut},
    summary="社会資源の書き出し（HSDS 3.0 の表ごとの CSV を zip で）",
    openapi_extra={
        "responses": {
            200: {
                "description": "organizations.csv・services.csv・locations.csv・"
                "service_at_locations.csv・schedules.csv（UTF-8、BOM 付き）の zip",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def hsds_export_zip(request) -> HttpResponse:
    """``hsds.json`` と同じ表を、表ごとの CSV にして zip で返します。電話番号・住所など
    HSDS で入れ子になる項目は、最初の1件を列（``phone``、``address_1`` など）にします。"""
    reading(request)
    response = HttpResponse(hsds.export_csv_zip(), content_type="application/zip")
    name = f"resources-hsds-{timezone.localdate():%Y%m%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.post(
    "/resources/hsds",
    response={201: ResourceHsdsCountsOut, 403: ErrorOut, 422: InvalidOut},
    summary="社会資源の取込み（HSDS 3.0 の JSON）",
)
def hsds_import(request, payload: ResourceHsdsIn):
    """``hsds.json`` と同じ形の表を取り込み、社会資源として登録します（事務局、参加支援員、
    地域福祉コーディネーター）。提供団体は同じ名前の団体があればそれを使います。種類は
    ``attributes`` の分類（種類のコードか名前）、なければ ``kind``（種類のコード）で決め、
    分からないときは「その他」です。``schedules`` の ``byday`` は毎週なら ``WE``、毎月なら
    第n週を前に付けて ``2SA,4SA`` と書きます（``bymonthday``・後ろから数える週には
    対応していません）。

    すべての行を確かめてから登録し、誤りが1つでもあれば何も登録しません。そのときは
    422 で、誤りのある行を ``"schedules.3": ["schedules 3行目：終了時刻は開始時刻より後に
    してください。"]`` のように、すべて返します。既に登録されている社会資源（同じ団体の
    同じ名称）も誤りとして示します。"""
    reading(request)
    counts = hsds.import_json(payload.dict(), by=request.user)
    return Status(201, counts)
