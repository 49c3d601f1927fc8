"""The 社会資源 directory exchanged as HSDS 3.0 (Open Referral's Human Services Data
Specification): the whole directory as JSON tables or as CSV files in a zip, and an import of
either (checked whole first: on any error nothing is added, and every bad row is named).
The mapping is described in :mod:`tsunagu.resources.hsds`."""

from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status

from tsunagu.api.errors import invalid
from tsunagu.api.schemas import ErrorOut, InvalidOut

from .. import hsds
from .answer import keeping, reading
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


#: what the import takes: the JSON tables, or the CSV files in a zip (as the body, or as the
#: ``file`` of a form)
IMPORT_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": ResourceHsdsIn.model_json_schema()},
        "application/zip": {"schema": {"type": "string", "format": "binary"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
    },
}


def _upload(request) -> tuple[bytes, str]:
    """The file sent (its bytes and name): a form's ``file``, or the body itself."""
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise invalid({"file": "取り込むファイル（file）を指定してください。"})
        return upload.read(), upload.name or ""
    return request.body, "hsds.zip" if request.content_type == "application/zip" else ""


@router.post(
    "/resources/hsds",
    response={201: ResourceHsdsCountsOut, 403: ErrorOut, 422: InvalidOut},
    summary="社会資源の取込み（HSDS 3.0 の JSON、または CSV の zip）",
    openapi_extra={"requestBody": IMPORT_BODY},
)
def hsds_import(request):
    """``hsds.json`` と同じ形の表（JSON）、または ``hsds.zip`` と同じ表ごとの CSV をまとめた
    zip を取り込み、社会資源として登録します（事務局、参加支援員、地域福祉コーディネーター）。
    zip は本文に ``Content-Type: application/zip`` で送るか、フォームの ``file`` で送ります
    （どちらの形かは中身でも判別します）。本文で送れるのは 2.5MB までなので、大きなファイルは
    フォームの ``file`` で送ってください。CSV は UTF-8（BOM 付き・なし）か、Excel が保存する
    Shift_JIS で、列は見出しの名前で読みます（順不同。ほかの列は読み飛ばします）。
    提供団体は同じ名前の団体があればそれを使います。種類は ``attributes`` の分類（種類の
    コードか名前）、なければ ``kind``（種類のコード。CSV では ``kind_name`` の名前も）で
    決め、分類も ``kind`` もないときは「その他」です（``kind`` が分からないときは誤り）。
    ``schedules`` の ``byday`` は毎週なら ``WE``、毎月なら第n週を前に付けて ``2SA,4SA`` と
    書きます（``bymonthday``・後ろから数える週には対応していません）。

    すべての行を確かめてから登録し、誤りが1つでもあれば何も登録しません。そのときは
    422 で、誤りのある行をすべて返します。JSON は ``"schedules.3": ["schedules 3行目：
    終了時刻は開始時刻より後にしてください。"]``、CSV はファイル名・行（見出しが1行目）・列で
    ``"schedules.csv.4": ["schedules.csv 4行目（closes_at 列）：終了時刻は開始時刻より後に
    してください。"]`` のように示します。必要なファイルや列がないときは、そのことだけを
    ``"services.csv"`` などで返します。既に登録されている社会資源（同じ団体の同じ名称）も
    誤りとして示します。"""
    keeping(request)
    data, name = _upload(request)
    counts = hsds.import_file(data, by=request.user, name=name)
    return Status(201, counts)
