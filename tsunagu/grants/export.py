"""The Excel workbook of who may see a person and why, for a disclosure request (開示請求).

The first sheet is the table of the history page (機関 / 対象 / 根拠 / 開始 / 終了, current
first), with the start and end also as date-times Excel can sort and filter; the second says
whom it is about, when and by whom it was made, and how to read it.
"""

from __future__ import annotations

import datetime
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from tsunagu.accounts.acting import acting
from tsunagu.common.wareki import format_wareki

from .selectors import STILL_CURRENT, PersonAccess

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLE = "閲覧の根拠"
HEADER = ("機関", "対象", "根拠", "開始", "終了", "開始（日時）", "終了（日時）")
WIDTHS = (32, 28, 30, 18, 18, 20, 20)
DATETIME_FORMAT = "yyyy/mm/dd hh:mm:ss"
OFFICE_NOTE = (
    "自治体の事務局（重層的支援体制整備事業の所管課）は事業全体を所管するため、"
    "この表の根拠によらず、すべての方の情報を見られます。"
)
READING_NOTE = (
    "「終了」が「現在も」の行は、いま閲覧できる根拠です。終わった根拠も、閲覧できた期間の"
    "記録として残しています。対象が世帯・事例の行は、この方が世帯員である（あった）世帯、"
    "この方が本人である多機関協働の事例の記録を見られる根拠で、この方ご本人の記録を"
    "見られるとは限りません。"
)


def filename(access: PersonAccess) -> str:
    return f"{TITLE}_本人{access.person.pk}.xlsx"


def filename_ascii(access: PersonAccess) -> str:
    return f"person_{access.person.pk}_access.xlsx"


def _local(value: datetime.datetime | None) -> datetime.datetime | None:
    """Excel keeps no time zone: the local time, naive."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None)


def _wareki(value: datetime.datetime) -> str:
    return format_wareki(timezone.localtime(value).date())


def _put(sheet: Worksheet, row: int, column: int, value):
    """Write a value; text is always text (a name beginning with ``=`` is no formula)."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _user_name(user) -> str:
    return getattr(user, "display_name", "") or user.get_username()


def workbook(access: PersonAccess, *, user, made_at: datetime.datetime | None = None) -> bytes:
    """The workbook (xlsx bytes) of ``access``, made by ``user``."""
    made_at = made_at or timezone.now()
    book = Workbook()
    table = book.active
    table.title = TITLE
    bold = Font(bold=True)
    shaded = PatternFill("solid", fgColor="DDEBF7")
    for column, (name, width) in enumerate(zip(HEADER, WIDTHS, strict=True), start=1):
        cell = _put(table, 1, column, name)
        cell.font, cell.fill = bold, shaded
        table.column_dimensions[cell.column_letter].width = width
    for n, row in enumerate(access.rows, start=2):
        values = (
            row.agency_name,
            row.subject,
            row.basis_label,
            _wareki(row.valid_from),
            _wareki(row.valid_until) if row.valid_until else STILL_CURRENT,
        )
        for column, value in enumerate(values, start=1):
            _put(table, n, column, value)
        for column, value in ((6, row.valid_from), (7, row.valid_until)):
            if value is not None:
                _put(table, n, column, _local(value)).number_format = DATETIME_FORMAT
    table.freeze_panes = "A2"
    if access.rows:
        table.auto_filter.ref = f"A1:G{len(access.rows) + 1}"

    about = book.create_sheet("この出力について")
    me = acting(user)
    person = access.person
    lines = (
        ("表題", "誰がこの方の情報を見られるか、その根拠（開示請求用）"),
        ("本人", f"{person.name}（{person.name_kana}）"),
        ("本人の番号", str(person.pk)),
        ("出力日時", f"{_wareki(made_at)} {timezone.localtime(made_at):%H:%M:%S}"),
        ("出力者", f"{_user_name(user)}（{me.agency.name}）" if me else _user_name(user)),
        ("いま見られる機関", "、".join(name for _id, name in access.agencies_now) or "なし"),
        ("件数", f"現在の根拠 {len(access.current)} 件、終わった根拠 {len(access.ended)} 件"),
        ("読み方", READING_NOTE),
        ("注記", OFFICE_NOTE),
    )
    about.column_dimensions["A"].width = 14
    about.column_dimensions["B"].width = 90
    for n, (label, text) in enumerate(lines, start=1):
        _put(about, n, 1, label).font = bold
        _put(about, n, 2, text).alignment = Alignment(wrap_text=True, vertical="top")

    out = BytesIO()
    book.save(out)
    return out.getvalue()
