"""The 社会資源 directory exchanged in the shape of Open Referral's Human Services Data
Specification (HSDS 3.0), so that a city can hand its directory to another system or take one
in.

The tables (each a list of rows, the ids stable for one directory, ``tsunagu-<table>-<pk>``):

* ``organizations`` — 提供団体: ``name``, ``description``, ``email``, ``website``, ``phones``;
* ``services`` — 社会資源: ``organization_id``, ``name``, ``description``, ``status``
  (``active`` 受入可, ``temporarily closed`` 一時休止, ``defunct`` 終了; ``inactive`` is read as
  一時休止), ``email``, ``eligibility_description`` (利用の条件), ``fees_description`` (費用),
  ``assured_date`` (情報確認日), ``phones``, ``contacts`` (連絡先の担当者), ``service_areas``
  (圏域の名前), ``attributes`` (the 種類 as a term of the taxonomy ``tsunagu-resource-kind``),
  and the fields HSDS has no place for: ``kind`` (our kind code), ``targets`` (対象の世代),
  ``target_attributes``, ``capacity``, ``places_free`` and ``area_code`` (圏域のコード);
* ``locations`` — where it is: ``addresses`` (所在地, 郵便番号) and ``accessibility``;
* ``service_at_locations`` — which service is at which location;
* ``schedules`` — when it is open, as RFC 5545 rules: ``freq`` ``WEEKLY`` (毎週, ``byday``
  ``WE``) or ``MONTHLY`` (第n週, ``byday`` with the week before the day: ``2SA,4SA`` is
  第2・第4土曜), ``opens_at`` and ``closes_at`` (``HH:MM``, Japan time: ``timezone`` 9),
  ``notes`` (備考) and ``description`` (the pattern in words).

Host profiles (受け入れ先 and their assessment) and the dates the usual schedule does not hold
stay in the directory: HSDS has no place for them.

:func:`import_json` checks every row, and creates the resources through
:func:`services.resource_create` in one transaction, so each is checked and audited as one
typed on the screen; on any error it raises one ``ValidationError`` naming each bad row
(``schedules 3行目：終了時刻は開始時刻より後にしてください。`` under ``schedules.3``) and
nothing is written. A resource already in the directory (the same name from an organisation
of the same name) is refused, so an import run twice adds nothing twice.

:func:`import_csv_zip` takes the same tables as the CSV files :func:`export_csv_zip` writes
(read by their headings into the JSON tables, then checked and written as above); its errors
name the file, the line and the column (``schedules.csv 4行目（closes_at 列）：…`` under
``schedules.csv.4``). :func:`import_file` takes either, as a file is uploaded.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction

from tsunagu.accounts.models import Area
from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.common.validation import max_length_errors

from . import services
from .models import (
    Frequency,
    Organization,
    Resource,
    ResourceKind,
    ResourceStatus,
)
from .permissions import NOT_EDITOR, keeps_directory
from .services import ScheduleIn

TABLES = ("organizations", "services", "locations", "service_at_locations", "schedules")
TAXONOMY = "tsunagu-resource-kind"
OTHER_KIND = "other"
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # Monday = 0, as ``date.weekday()``
TIMEZONE = 9  # hours ahead of UTC: every time of the directory is Japan time

STATUS_OUT = {
    ResourceStatus.OPEN: "active",
    ResourceStatus.PAUSED: "temporarily closed",
    ResourceStatus.ENDED: "defunct",
}
STATUS_IN = {
    "active": ResourceStatus.OPEN,
    "temporarily closed": ResourceStatus.PAUSED,
    "inactive": ResourceStatus.PAUSED,
    "defunct": ResourceStatus.ENDED,
}
FREQ_OUT = {Frequency.WEEKLY: "WEEKLY", Frequency.MONTHLY: "MONTHLY"}
FREQ_IN = {v: k for k, v in FREQ_OUT.items()}
ORGANIZATION_DETAILS = ("description", "email", "url", "phone")


def org_id(pk: int) -> str:
    return f"tsunagu-org-{pk}"


def service_id(pk: int) -> str:
    return f"tsunagu-service-{pk}"


def location_id(pk: int) -> str:
    return f"tsunagu-location-{pk}"


def byday(weekday: int, weeks: list[int]) -> str:
    """``WE`` every week; ``2SA,4SA`` on the 2nd and 4th Saturday of the month."""
    day = DAYS[weekday]
    return ",".join(f"{w}{day}" for w in weeks) if weeks else day


# --- export ----------------------------------------------------------------------------


def _organization_row(org: Organization) -> dict:
    oid = org_id(org.pk)
    return {
        "id": oid,
        "name": org.name,
        "description": org.description,
        "email": org.email,
        "website": org.url,
        "phones": (
            [{"id": f"{oid}-phone", "organization_id": oid, "number": org.phone}]
            if org.phone
            else []
        ),
    }


def _service_row(r: Resource) -> dict:
    sid = service_id(r.pk)
    return {
        "id": sid,
        "organization_id": org_id(r.organization_id),
        "name": r.name,
        "description": r.description,
        "status": STATUS_OUT[r.status],
        "email": r.email,
        "eligibility_description": r.conditions,
        "fees_description": r.cost,
        "assured_date": r.confirmed_on.isoformat(),
        "phones": (
            [{"id": f"{sid}-phone", "service_id": sid, "number": r.phone}] if r.phone else []
        ),
        "contacts": (
            [{"id": f"{sid}-contact", "service_id": sid, "name": r.contact_name}]
            if r.contact_name
            else []
        ),
        "service_areas": (
            [{"id": f"{sid}-area", "service_id": sid, "name": r.area.name}] if r.area_id else []
        ),
        "attributes": [
            {
                "id": f"{sid}-kind",
                "link_id": sid,
                "link_type": "service",
                "link_entity": "service",
                "taxonomy_term_id": f"{TAXONOMY}-{r.kind.code}",
                "taxonomy_term": {
                    "id": f"{TAXONOMY}-{r.kind.code}",
                    "code": r.kind.code,
                    "name": r.kind.name,
                    "taxonomy": TAXONOMY,
                },
            }
        ],
        # fields HSDS has no place for
        "kind": r.kind.code,
        "targets": r.target_list,
        "target_attributes": r.target_attributes,
        "capacity": r.capacity,
        "places_free": r.places_free,
        "area_code": r.area.code if r.area_id else None,
    }


def _has_location(r: Resource) -> bool:
    return bool(r.address or r.postal_code or r.accessibility)


def _location_row(r: Resource) -> dict:
    lid = location_id(r.pk)
    return {
        "id": lid,
        "location_type": "physical",
        "organization_id": org_id(r.organization_id),
        "name": r.name,
        "addresses": (
            [
                {
                    "id": f"{lid}-address",
                    "location_id": lid,
                    "address_1": r.address,
                    "city": "",
                    "state_province": "",
                    "postal_code": r.postal_code,
                    "country": "JP",
                    "address_type": "physical",
                }
            ]
            if r.address or r.postal_code
            else []
        ),
        "accessibility": (
            [{"id": f"{lid}-accessibility", "location_id": lid, "description": r.accessibility}]
            if r.accessibility
            else []
        ),
    }


def export_json() -> dict[str, list[dict]]:
    """The whole directory as HSDS tables (every status: the status says which are in use)."""
    resources = list(
        Resource.objects.select_related("organization", "kind", "area")
        .prefetch_related("schedules")
        .order_by("pk")
    )
    schedules = []
    for r in resources:
        for s in sorted(r.schedules.all(), key=lambda s: s.pk):
            schedules.append(
                {
                    "id": f"tsunagu-schedule-{s.pk}",
                    "service_id": service_id(r.pk),
                    "freq": FREQ_OUT[s.freq],
                    "interval": 1,
                    "byday": byday(s.weekday, s.weeks),
                    "opens_at": f"{s.opens_at:%H:%M}",
                    "closes_at": f"{s.closes_at:%H:%M}",
                    "timezone": TIMEZONE,
                    "description": s.label,
                    "notes": s.note,
                }
            )
    located = [r for r in resources if _has_location(r)]
    return {
        "organizations": [_organization_row(o) for o in Organization.objects.order_by("pk")],
        "services": [_service_row(r) for r in resources],
        "locations": [_location_row(r) for r in located],
        "service_at_locations": [
            {
                "id": f"tsunagu-service-at-location-{r.pk}",
                "service_id": service_id(r.pk),
                "location_id": location_id(r.pk),
            }
            for r in located
        ],
        "schedules": schedules,
    }


# --- CSV (the tables side by side, one file each, in a zip) -----------------------------

CSV_COLUMNS = {
    "organizations": ["id", "name", "description", "email", "website", "phone"],
    "services": [
        "id",
        "organization_id",
        "name",
        "description",
        "status",
        "email",
        "eligibility_description",
        "fees_description",
        "assured_date",
        "phone",
        "contact_name",
        "service_area",
        "kind",
        "kind_name",
        "targets",
        "target_attributes",
        "capacity",
        "places_free",
        "area_code",
    ],
    "locations": [
        "id",
        "location_type",
        "organization_id",
        "name",
        "address_1",
        "postal_code",
        "country",
        "accessibility",
    ],
    "service_at_locations": ["id", "service_id", "location_id"],
    "schedules": [
        "id",
        "service_id",
        "freq",
        "interval",
        "byday",
        "opens_at",
        "closes_at",
        "timezone",
        "description",
        "notes",
    ],
}


def _first(row: dict, key: str, name: str) -> str:
    items = row.get(key) or []
    return items[0].get(name, "") if items else ""


def _csv_row(table: str, row: dict) -> dict:
    flat = {k: v for k, v in row.items() if not isinstance(v, list | dict)}
    if table in ("organizations", "services"):
        flat["phone"] = _first(row, "phones", "number")
    if table == "services":
        flat["contact_name"] = _first(row, "contacts", "name")
        flat["service_area"] = _first(row, "service_areas", "name")
        flat["kind_name"] = row["attributes"][0]["taxonomy_term"]["name"]
        flat["targets"] = "|".join(row["targets"])
    if table == "locations":
        for name in ("address_1", "postal_code", "country"):
            flat[name] = _first(row, "addresses", name)
        flat["accessibility"] = _first(row, "accessibility", "description")
    return {k: ("" if flat.get(k) is None else flat.get(k)) for k in CSV_COLUMNS[table]}


def export_csv_zip() -> bytes:
    """The same tables as :func:`export_json`, one CSV each (UTF-8 with BOM, for Excel), in a
    zip: organizations.csv, services.csv, locations.csv, service_at_locations.csv,
    schedules.csv. A list HSDS nests (phones, addresses …) gives its first item's value."""
    tables = export_json()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=CSV_COLUMNS[table], lineterminator="\r\n")
            writer.writeheader()
            for row in tables[table]:
                writer.writerow(_csv_row(table, row))
            archive.writestr(f"{table}.csv", "\ufeff" + text.getvalue())
    return buffer.getvalue()


# --- import ----------------------------------------------------------------------------

#: an empty line of a CSV file (skipped, and still counted: lines keep their numbers)
BLANK = object()

#: the columns each CSV file must have (schedules: ``service_id`` or
#: ``service_at_location_id`` too); organizations.csv and services.csv must be in the zip
CSV_REQUIRED = {
    "organizations": ("id", "name"),
    "services": ("id", "organization_id", "name", "assured_date"),
    "locations": ("id",),
    "service_at_locations": ("id", "service_id", "location_id"),
    "schedules": ("id", "freq", "byday", "opens_at", "closes_at"),
}
CSV_FILES_REQUIRED = ("organizations", "services")
ZIP_MAX_BYTES = 50 * 1024 * 1024  # the CSV files unpacked

#: the columns of the values the services refuse, by the service's field names
ORGANIZATION_COLUMNS = {"name": "name", "email": "email", "url": "website", "phone": "phone"}
LOCATION_COLUMNS = {"address": "address_1", "postal_code": "postal_code"}
SERVICE_COLUMNS = {
    "organization": "organization_id",
    "confirmed_on": "assured_date",
    "area": "area_code",
    "conditions": "eligibility_description",
    "cost": "fees_description",
}


def _service_column(name: str) -> str:
    """The services.csv column of a service's field ('' when it has none there)."""
    column = SERVICE_COLUMNS.get(name, name)
    return column if column in CSV_COLUMNS["services"] else ""


def _csv_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp932")  # Excel's 「CSV（コンマ区切り）」 on Japanese Windows


def _nested(table: str, row: dict) -> dict:
    """A CSV row in the shape of the JSON tables (the lists HSDS nests)."""
    row = dict(row)
    if table in ("organizations", "services") and row.get("phone", "").strip():
        row["phones"] = [{"number": row["phone"]}]
    if table == "services":
        if row.get("contact_name", "").strip():
            row["contacts"] = [{"name": row["contact_name"]}]
        if row.get("service_area", "").strip():
            row["service_areas"] = [{"name": row["service_area"]}]
    if table == "locations":
        names = ("address_1", "address_2", "city", "state_province", "postal_code", "country")
        address = {name: row.pop(name, "") for name in names}
        row["addresses"] = [address] if any(v.strip() for v in address.values()) else []
        access = row.pop("accessibility", "").strip()
        row["accessibility"] = [{"description": access}] if access else []
    return row


def _csv_members(data: bytes, errors: _Errors) -> tuple[zipfile.ZipFile, dict] | None:
    """The zip and its CSV files by table (a file may sit in a folder of the zip)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            name = info.filename.rsplit("/", 1)[-1].lower()
            if not info.is_dir() and name.endswith(".csv") and name[:-4] in TABLES:
                members.setdefault(name[:-4], info)
    except (zipfile.BadZipFile, ValueError):
        errors.table("__all__", "zip ファイルを読めません。" + NOT_HSDS)
        return None
    if sum(info.file_size for info in members.values()) > ZIP_MAX_BYTES:
        errors.table("__all__", "CSV ファイルが大きすぎます（展開して 50MB まで）。")
        return None
    for table in CSV_FILES_REQUIRED:
        if table not in members:
            errors.table(table, f"{table}.csv が zip の中にありません。")
    return archive, members


def _csv_tables(data: bytes, errors: _Errors) -> dict[str, list]:
    """The CSV files of the zip as the JSON tables (see :func:`import_csv_zip`)."""
    found = _csv_members(data, errors)
    if found is None:
        return {}
    archive, members = found
    tables: dict[str, list] = {}
    for table, info in members.items():
        try:
            lines = list(csv.reader(io.StringIO(_csv_text(archive.read(info)), newline="")))
        except UnicodeDecodeError:
            errors.table(
                table, f"{table}.csv の文字コードを読めません（UTF-8 で保存してください）。"
            )
            continue
        except (
            csv.Error,
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            RuntimeError,
            NotImplementedError,
        ) as exc:
            errors.table(table, f"{table}.csv を CSV として読めません（{exc}）。")
            continue
        heading = [name.strip() for name in lines[0]] if lines else []
        missing = [name for name in CSV_REQUIRED[table] if name not in heading]
        if table == "schedules" and not {"service_id", "service_at_location_id"} & set(heading):
            missing.insert(0, "service_id")
        if missing:
            errors.table(
                table,
                f"{table}.csv：1行目（見出し）に列「{'」「'.join(missing)}」がありません。",
            )
            continue
        rows: list = []
        for values in lines[1:]:
            if not any(value.strip() for value in values):
                rows.append(BLANK)
                continue
            cells = {name: value for name, value in zip(heading, values, strict=False) if name}
            rows.append(_nested(table, cells))
        tables[table] = rows
    return tables


class _Errors:
    """Japanese messages by row. From JSON tables: ``{"schedules.3": ["schedules 3行目：…"]}``
    (the 3rd row of ``schedules``). From the CSV files: by the file's line, the heading being
    line 1, and the column: ``{"schedules.csv.4": ["schedules.csv 4行目（closes_at 列）：…"]}``.
    """

    def __init__(self, *, files: bool = False) -> None:
        self.files = files
        self.found: dict[tuple[str, int], list[str]] = {}  # (table, row); row 0: the table

    def line(self, table: str, n: int) -> str:
        """Where the ``n``th row of a table is: ``services 3行目``, ``services.csv 4行目``."""
        return f"{table}.csv {n + 1}行目" if self.files else f"{table} {n}行目"

    def row(self, table: str, n: int, message: str, column: str = "") -> None:
        where = self.line(table, n)
        if self.files and column:
            where += f"（{column} 列）"
        self.found.setdefault((table, n), []).append(f"{where}：{message}")

    def table(self, table: str, message: str) -> None:
        self.found.setdefault((table, 0), []).append(message)

    def has(self, table: str, n: int) -> bool:
        return (table, n) in self.found

    def __bool__(self) -> bool:
        return bool(self.found)

    def _key(self, table: str, n: int) -> str:
        if table not in TABLES:
            return table
        name = f"{table}.csv" if self.files else table
        if n == 0:
            return name
        return f"{name}.{n + 1}" if self.files else f"{name}.{n}"

    def ordered(self) -> dict[str, list[str]]:
        def order(place: tuple[str, int]) -> tuple[int, int]:
            table, n = place
            return (TABLES.index(table) if table in TABLES else -1, n)

        return {self._key(*place): self.found[place] for place in sorted(self.found, key=order)}


class _Bad(ValueError):
    """A value that cannot be read, and the column (CSV) or field (JSON) it is in."""

    def __init__(self, message: str, column: str = "") -> None:
        super().__init__(message)
        self.column = column


@dataclass
class _Service:
    """One service row, read: what :func:`services.resource_create` is given."""

    n: int
    organization: str  # the HSDS id of its organisation
    fields: dict
    schedules: list[ScheduleIn] = field(default_factory=list)
    schedule_rows: list[int] = field(default_factory=list)  # the schedules row of each
    location_seen: bool = False
    #: the fields this module has already refused (the service's own word on them is left out)
    refused: set[str] = field(default_factory=set)


def _text(row: dict, key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value).strip()


def _items(row: dict, key: str) -> list[dict]:
    value = row.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _first_text(row: dict, key: str, name: str) -> str:
    for item in _items(row, key):
        value = _text(item, name)
        if value:
            return value
    return ""


def _date(value) -> datetime.date | None:
    text = str(value).strip()
    return datetime.date.fromisoformat(text[:10])


TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$")


def _time(value) -> datetime.time:
    """``10:00``, ``10:00:00`` or with Japan's offset (``10:00+09:00``)."""
    match = TIME_RE.match(str(value).strip())
    if not match:
        raise ValueError("時刻は HH:MM の形で指定してください。")
    hour, minute, second, offset = match.groups()
    if offset is not None and offset.replace(":", "") != "+0900":
        raise ValueError("時刻は日本時間で指定してください（UTC からの差は +09:00）。")
    try:
        return datetime.time(int(hour), int(minute), int(second or 0))
    except ValueError as exc:
        raise ValueError("時刻は 00:00〜23:59 の範囲で指定してください。") from exc


def _count(value, label: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{label}は0以上の整数で指定してください。")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ValueError(f"{label}は0以上の整数で指定してください。")


def _targets(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [t.strip() for t in re.split(r"[|,]", value) if t.strip()]
    if isinstance(value, list):
        return [str(t).strip() for t in value if str(t).strip()]
    raise ValueError("targets は対象の世代のコードの配列で指定してください。")


class _Kinds:
    def __init__(self) -> None:
        kinds = list(ResourceKind.objects.all())
        self.by_key = {k.name: k for k in kinds} | {k.code: k for k in kinds}
        self.other = next((k for k in kinds if k.code == OTHER_KIND), None)

    def of(self, row: dict) -> tuple[ResourceKind | None, str]:
        """The service's categories (HSDS attributes with a taxonomy term, or a plain
        ``categories`` list) first, then our ``kind`` code (and, from the CSV files, the
        ``kind_name``); その他 when none is known. Our own ``kind`` (or ``kind_name``) given
        and unknown, with no category known either, is answered as the second value (a kind
        missing from this directory's list, or mistyped), not taken as その他."""
        own = [_text(row, "kind"), _text(row, "kind_name")]
        candidates = []
        for attribute in _items(row, "attributes"):
            term = attribute.get("taxonomy_term")
            if isinstance(term, dict):
                candidates += [_text(term, "code"), _text(term, "name"), _text(term, "term")]
        for category in row.get("categories") or []:
            if isinstance(category, dict):
                candidates += [_text(category, "code"), _text(category, "name")]
            else:
                candidates.append(str(category).strip())
        for candidate in (*candidates, *own):
            if candidate in self.by_key:
                return self.by_key[candidate], ""
        unknown = next((value for value in own if value), "")
        return (None, unknown) if unknown else (self.other, "")


def _tables(data, errors: _Errors) -> dict[str, list[dict]]:
    """The five tables as lists of rows (each row a dict with an id, unique in its table)."""
    tables = {name: [] for name in TABLES}
    if not isinstance(data, dict):
        errors.table(
            "__all__",
            'HSDS のデータは {"organizations": [...], "services": [...], ...} の形で'
            "指定してください。",
        )
        return tables
    for name in TABLES:
        rows = data.get(name)
        if rows is None:
            continue
        if not isinstance(rows, list):
            errors.table(name, f"{name} は行の配列で指定してください。")
            continue
        seen = set()
        for n, row in enumerate(rows, start=1):
            if row is BLANK:  # an empty line of a CSV file
                tables[name].append({})
                continue
            if not isinstance(row, dict):
                errors.row(name, n, "行は項目名と値の組（オブジェクト）で指定してください。")
                tables[name].append({})
                continue
            rid = _text(row, "id")
            if not rid:
                errors.row(name, n, "id を指定してください。", "id")
            elif rid in seen:
                errors.row(name, n, f"id「{rid}」が重複しています。", "id")
            seen.add(rid)
            tables[name].append(row)
    if not tables["services"] and not errors.has("services", 0):
        errors.table("services", "取り込む社会資源（services）がありません。")
    return tables


def _read_organizations(rows: list[dict], errors: _Errors) -> dict[str, tuple[int, dict]]:
    """HSDS id → (row number, the organisation's values)."""
    found = {}
    email_ok, url_ok = EmailValidator(), URLValidator()
    for n, row in enumerate(rows, start=1):
        if not row:
            continue
        values = {
            "name": _text(row, "name"),
            "description": _text(row, "description"),
            "email": _text(row, "email"),
            "url": _text(row, "website") or _text(row, "url"),
            "phone": _first_text(row, "phones", "number"),
        }
        if not values["name"]:
            errors.row("organizations", n, "団体名（name）を指定してください。", "name")
        for name, message in max_length_errors(
            Organization, **{k: v for k, v in values.items() if k != "description"}
        ).items():
            errors.row("organizations", n, message, ORGANIZATION_COLUMNS.get(name, ""))
        for name, check, label in (("email", email_ok, "メールアドレス"), ("url", url_ok, "URL")):
            if values[name]:
                try:
                    check(values[name])
                except ValidationError:
                    errors.row(
                        "organizations",
                        n,
                        f"{label}「{values[name]}」が正しくありません。",
                        ORGANIZATION_COLUMNS[name],
                    )
        found[_text(row, "id")] = (n, values)
    return found


def _read_services(
    rows: list[dict], organizations: dict, errors: _Errors
) -> tuple[list[_Service], dict[str, _Service]]:
    kinds = _Kinds()
    areas = {a.code: a for a in Area.objects.all()}
    area_names: dict[str, list[Area]] = {}
    for area in areas.values():
        area_names.setdefault(area.name, []).append(area)
    existing = set(Resource.objects.values_list("organization__name", "name"))
    read, by_id, names = [], {}, {}
    for n, row in enumerate(rows, start=1):
        if not row:
            continue
        refused = set()

        def refuse(name: str, message: str, n=n, refused=refused) -> None:
            errors.row("services", n, message, _service_column(name))
            refused.add(name)

        oid = _text(row, "organization_id")
        if not oid:
            refuse("organization", "organization_id（提供団体）を指定してください。")
        elif oid not in organizations:
            refuse("organization", f"organization_id「{oid}」の団体が organizations にありません。")
        kind, unknown = kinds.of(row)
        if unknown:
            refuse(
                "kind",
                f"種類「{unknown}」がありません（種類のコードか名前で指定してください。"
                "例：ibasho、居場所）。",
            )
        fields = {
            "name": _text(row, "name"),
            "kind": kind,
            "description": _text(row, "description"),
            "conditions": _text(row, "eligibility_description"),
            "cost": _text(row, "fees_description"),
            "email": _text(row, "email"),
            "phone": _first_text(row, "phones", "number"),
            "contact_name": _first_text(row, "contacts", "name"),
            "target_attributes": _text(row, "target_attributes"),
            "confirmed_on": None,
        }
        status = _text(row, "status").lower() or "active"
        if status in STATUS_IN:
            fields["status"] = STATUS_IN[status]
        else:
            refuse(
                "status",
                f"status「{status}」は active、temporarily closed、inactive、defunct の"
                "いずれかで指定してください。",
            )
        assured = row.get("assured_date")
        if assured is None or not str(assured).strip():
            refuse("confirmed_on", "assured_date（情報確認日）を指定してください。")
        else:
            try:
                fields["confirmed_on"] = _date(assured)
            except ValueError:
                refuse(
                    "confirmed_on",
                    "assured_date（情報確認日）は YYYY-MM-DD の形で指定してください。",
                )
        for name, label in (("capacity", "定員"), ("places_free", "いまの空き")):
            try:
                fields[name] = _count(row.get(name), f"{label}（{name}）")
            except ValueError as exc:
                refuse(name, str(exc))
        try:
            fields["targets"] = _targets(row.get("targets"))
        except ValueError as exc:
            refuse("targets", str(exc))
        code = _text(row, "area_code")
        if code:
            if code in areas:
                fields["area"] = areas[code]
            else:
                refuse(
                    "area",
                    f"圏域コード（area_code）「{code}」の圏域がありません"
                    "（圏域を付けないときは空にしてください）。",
                )
        else:
            for name in (_text(a, "name") for a in _items(row, "service_areas")):
                if len(area_names.get(name, [])) == 1:
                    fields["area"] = area_names[name][0]
                    break
        org_name = organizations.get(oid, (0, {"name": ""}))[1]["name"]
        key = (org_name, fields["name"])
        if fields["name"] and key in existing:
            errors.row(
                "services",
                n,
                f"「{fields['name']}」（{org_name}）は既に登録されています。",
                "name",
            )
        elif fields["name"] and key in names:
            errors.row(
                "services",
                n,
                f"「{fields['name']}」（{org_name}）は {errors.line('services', names[key])}と"
                "重複しています。",
                "name",
            )
        names.setdefault(key, n)
        service = _Service(n=n, organization=oid, fields=fields, refused=refused)
        read.append(service)
        by_id[_text(row, "id")] = service
    return read, by_id


def _read_locations(tables: dict, services_by_id: dict[str, _Service], errors: _Errors) -> None:
    locations = {}
    for n, row in enumerate(tables["locations"], start=1):
        if not row:
            continue
        address = _items(row, "addresses")
        place = address[0] if address else {}
        parts = [_text(place, k) for k in ("state_province", "city", "address_1", "address_2")]
        values = {
            "address": "".join(parts),
            "postal_code": _text(place, "postal_code"),
            "accessibility": "、".join(
                _text(a, "description")
                for a in _items(row, "accessibility")
                if _text(a, "description")
            ),
        }
        for name, message in max_length_errors(Resource, **values).items():
            errors.row("locations", n, message, LOCATION_COLUMNS.get(name, name))
        # a location with errors is answered on its own row, not again on its service's
        locations[_text(row, "id")] = {} if errors.has("locations", n) else values
    for n, row in enumerate(tables["service_at_locations"], start=1):
        if not row:
            continue
        sid, lid = _text(row, "service_id"), _text(row, "location_id")
        service = services_by_id.get(sid)
        if service is None:
            errors.row(
                "service_at_locations",
                n,
                f"service_id「{sid}」が services にありません。",
                "service_id",
            )
        elif lid not in locations:
            errors.row(
                "service_at_locations",
                n,
                f"location_id「{lid}」が locations にありません。",
                "location_id",
            )
        elif service.location_seen:
            errors.row(
                "service_at_locations",
                n,
                f"{errors.line('services', service.n)}の所在地は1か所までです（2か所目です）。",
                "service_id",
            )
        else:
            service.location_seen = True
            service.fields.update(locations[lid])


DAY_RE = re.compile(r"^([+-]?\d+)?(MO|TU|WE|TH|FR|SA|SU)$")
ROW_PREFIX = re.compile(r"^\d+行目：")


def _schedule_ins(row: dict) -> list[ScheduleIn]:
    """The schedule rows of one HSDS schedule (one per weekday of its ``byday``)."""
    freq = _text(row, "freq").upper()
    if freq not in FREQ_IN:
        raise _Bad("freq は WEEKLY（毎週）または MONTHLY（毎月）で指定してください。", "freq")
    interval = _text(row, "interval")
    if interval not in ("", "1", "1.0"):
        raise _Bad("interval（n週・nか月ごと）は 1 だけに対応しています。", "interval")
    for name in ("bymonthday", "byweekno", "byyearday"):
        if _text(row, name):
            raise _Bad(
                f"{name} には対応していません。第2・第4土曜などは byday に「2SA,4SA」の"
                "ように指定してください。",
                name,
            )
    tokens = [t.strip().upper() for t in _text(row, "byday").split(",") if t.strip()]
    if not tokens:
        raise _Bad("byday（曜日。例：WE、2SA,4SA）を指定してください。", "byday")
    by_day: dict[int, list[int]] = {}
    for token in tokens:
        match = DAY_RE.match(token)
        if not match:
            if token.lstrip("+-").isdigit():
                raise _Bad(
                    f"byday「{token}」：曜日は MO・TU・WE・TH・FR・SA・SU で指定してください"
                    "（数字の曜日には対応していません）。",
                    "byday",
                )
            raise _Bad(f"byday「{token}」を読めません（例：WE、2SA,4SA）。", "byday")
        week, day = match.groups()
        if week is not None and int(week) < 0:
            raise _Bad(
                f"byday「{token}」：最終週など後ろから数える指定には対応していません"
                "（第n週を 1〜5 で指定してください）。",
                "byday",
            )
        weeks = by_day.setdefault(DAYS.index(day), [])
        if week is not None and int(week) not in weeks:
            weeks.append(int(week))
    times = {}
    for name in ("opens_at", "closes_at"):
        try:
            times[name] = _time(row[name]) if _text(row, name) else None
        except ValueError as exc:
            raise _Bad(str(exc), name) from exc
    opens_at, closes_at = times["opens_at"], times["closes_at"]
    return [
        ScheduleIn(
            freq=FREQ_IN[freq],
            weekday=weekday,
            opens_at=opens_at,
            closes_at=closes_at,
            weeks=tuple(weeks),
            note=_text(row, "notes"),
        )
        for weekday, weeks in by_day.items()
    ]


def _schedule_column(row: ScheduleIn) -> str:
    """The column of a schedule row that :func:`services.schedule_errors` refuses (its
    checks in their order)."""
    if row.freq not in Frequency.values:
        return "freq"
    if row.weekday is None or not 0 <= row.weekday <= 6:
        return "byday"
    if row.opens_at is None:
        return "opens_at"
    if row.closes_at is None or row.closes_at <= row.opens_at:
        return "closes_at"
    if (
        (row.freq == Frequency.WEEKLY and row.weeks)
        or (row.freq == Frequency.MONTHLY and not row.weeks)
        or any(w not in (1, 2, 3, 4, 5) for w in row.weeks)
    ):
        return "byday"  # the weeks of the month
    return "notes"


def _read_schedules(tables: dict, services_by_id: dict[str, _Service], errors: _Errors) -> None:
    """Attach each schedule that reads well to its service."""
    at_location = {
        _text(row, "id"): _text(row, "service_id") for row in tables["service_at_locations"] if row
    }
    for n, row in enumerate(tables["schedules"], start=1):
        if not row:
            continue
        sid = _text(row, "service_id") or at_location.get(_text(row, "service_at_location_id"), "")
        service = services_by_id.get(sid)
        if service is None:
            errors.row(
                "schedules",
                n,
                f"service_id「{sid}」が services にありません。"
                if sid
                else "service_id（または service_at_location_id）を指定してください。",
                "service_id",
            )
            continue
        try:
            rows = _schedule_ins(row)
        except _Bad as exc:
            errors.row("schedules", n, str(exc), exc.column)
            continue
        messages = services.schedule_errors(rows)
        if messages:
            said = set()
            for key, message in messages.items():
                text = ROW_PREFIX.sub("", message)
                if text not in said:
                    said.add(text)
                    column = _schedule_column(rows[int(key.split(".")[1]) - 1])
                    errors.row("schedules", n, text, column)
            continue
        service.schedules += rows
        service.schedule_rows += [n] * len(rows)


def _organization_save(*, by, values: dict) -> tuple[Organization, bool]:
    """The organisation of that name (made when new), its blank details filled in."""
    before_count = Organization.objects.filter(name=values["name"]).count()
    org = services.organization_get_or_create(by=by, name=values["name"])
    blank = {k: values[k] for k in ORGANIZATION_DETAILS if values[k] and not getattr(org, k)}
    if blank:
        before = snapshot(org, ORGANIZATION_DETAILS)
        for name, value in blank.items():
            setattr(org, name, value)
        org.save(update_fields=[*blank, "updated_at"])
        audit_record(
            actor=by,
            action="resource.organization_update",
            target=org,
            changes=diff(before, snapshot(org, ORGANIZATION_DETAILS)),
            context={"via": "hsds"},
        )
    return org, before_count == 0


def import_json(data, *, by) -> dict[str, int]:
    """Take in a directory in HSDS tables (as :func:`export_json` gives them).

    Every row is read and checked (ids, references, statuses, dates, ``byday`` patterns,
    times); then, in one transaction, each organisation and service is given to the
    services, which check the rest (lengths, the 情報確認日 not in the future, places within
    capacity) and audit. On any error the transaction is rolled back and one
    ``ValidationError`` names every bad row, so nothing is written. Returns how many
    organisations were new, and how many resources, locations and schedules were added."""
    if not keeps_directory(by):
        raise PermissionDenied(NOT_EDITOR)
    return _import(data, by=by, errors=_Errors())


def import_csv_zip(data: bytes, *, by) -> dict[str, int]:
    """Take in the directory as CSV files in a zip (as :func:`export_csv_zip` writes them:
    organizations.csv, services.csv, locations.csv, service_at_locations.csv,
    schedules.csv; UTF-8 with or without a BOM, or Shift_JIS as Excel saves 「CSV」).

    The files are read by their headings (columns in any order, other HSDS columns left
    aside) into the tables :func:`import_json` takes, and checked and written the same way,
    in one transaction. A file that cannot be read (not a zip, a required file or column
    missing) is answered alone, before any row; otherwise each error names the file, its
    line (the heading is line 1) and the column: ``"schedules.csv.4":
    ["schedules.csv 4行目（closes_at 列）：終了時刻は開始時刻より後にしてください。"]``."""
    if not keeps_directory(by):
        raise PermissionDenied(NOT_EDITOR)
    errors = _Errors(files=True)
    tables = _csv_tables(data, errors)
    if errors:
        raise ValidationError(errors.ordered())
    return _import(tables, by=by, errors=errors)


ZIP_SIGNATURE = b"PK\x03\x04"
NOT_HSDS = (
    "HSDS の JSON（hsds.json と同じ形）か、表ごとの CSV をまとめた zip（hsds.zip と同じ形）を"
    "指定してください。"
)


def import_file(data: bytes, *, by, name: str = "") -> dict[str, int]:
    """Take in a file as uploaded: a zip of CSV files (:func:`import_csv_zip`), known by
    its content or its name, else JSON tables (:func:`import_json`)."""
    if not keeps_directory(by):
        raise PermissionDenied(NOT_EDITOR)
    if data.startswith(ZIP_SIGNATURE) or name.lower().endswith(".zip"):
        return import_csv_zip(data, by=by)
    try:
        tables = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError({"__all__": [NOT_HSDS]}) from exc
    return import_json(tables, by=by)


def _import(data, *, by, errors: _Errors) -> dict[str, int]:
    tables = _tables(data, errors)
    organizations = _read_organizations(tables["organizations"], errors)
    read, by_id = _read_services(tables["services"], organizations, errors)
    _read_locations(tables, by_id, errors)
    _read_schedules(tables, by_id, errors)
    counts = {"organizations": 0, "resources": 0, "locations": 0, "schedules": 0}
    with transaction.atomic():
        # each service is also given to resource_create (its own schedules left out when
        # they are wrong), so that every row's errors are answered at once; any error rolls
        # the whole import back
        orgs = {}
        for oid, (n, values) in organizations.items():
            if errors.has("organizations", n):
                continue
            orgs[oid], created = _organization_save(by=by, values=values)
            counts["organizations"] += created
        for service in read:
            org = orgs.get(service.organization)
            if org is None:
                service.refused.add("organization")  # answered on its own row already
            try:
                services.resource_create(
                    by=by, organization=org, schedules=service.schedules, **service.fields
                )
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    if name in service.refused:
                        continue
                    for message in messages:
                        if name.startswith("schedules."):
                            index = int(name.split(".")[1]) - 1
                            errors.row(
                                "schedules",
                                service.schedule_rows[index],
                                ROW_PREFIX.sub("", message),
                                _schedule_column(service.schedules[index]),
                            )
                        else:
                            errors.row("services", service.n, message, _service_column(name))
                continue
            counts["resources"] += 1
            counts["locations"] += service.location_seen
            counts["schedules"] += len(service.schedules)
        if errors:
            raise ValidationError(errors.ordered())
        audit_record(actor=by, action="resource.hsds_import", context=counts)
    return counts
