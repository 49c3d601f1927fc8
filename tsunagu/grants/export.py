"""The Excel workbook of who may see a person and why, for a disclosure request (開示請求).

The first sheet is the table of the history page (機関 / 対象 / 根拠 / 開始 / 終了, current
first), with the start and end also as date-times Excel can sort and filter; the second says
whom it is about, when and by whom it was made, and how to read it.
"""

from __future__ import annotations

import datetime
import tempfile

import xlsxwriter
from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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


def _text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _user_name(user) -> str:
    return getattr(user, "display_name", "") or user.get_username()


def workbook(access: PersonAccess, *, user, made_at: datetime.datetime | None = None):
    """The workbook of ``access``, made by ``user``, written in constant memory to a temporary
    file (at its start) that the caller sends and closes. Text is always text (a name
    beginning with ``=`` is no formula)."""
    made_at = made_at or timezone.now()
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
    try:
        book = xlsxwriter.Workbook(
            spool,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        _table(book, access)
        _about(book, access, user=user, made_at=made_at)
        book.close()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool


def _table(book, access: PersonAccess) -> None:
    table = book.add_worksheet(TITLE)
    heading = book.add_format({"bold": True, "pattern": 1, "bg_color": "#DDEBF7"})
    moment = book.add_format({"num_format": DATETIME_FORMAT})
    for column, width in enumerate(WIDTHS):
        table.set_column(column, column, width)
    table.freeze_panes(1, 0)
    if access.rows:
        table.autofilter(0, 0, len(access.rows), len(HEADER) - 1)
    table.write_row(0, 0, HEADER, heading)
    for n, row in enumerate(access.rows, start=1):
        values = (
            row.agency_name,
            row.subject,
            row.basis_label,
            _wareki(row.valid_from),
            _wareki(row.valid_until) if row.valid_until else STILL_CURRENT,
        )
        for column, value in enumerate(values):
            table.write_string(n, column, _text(value))
        for column, value in ((5, row.valid_from), (6, row.valid_until)):
            if value is not None:
                table.write_datetime(n, column, _local(value), moment)


def _about(book, access: PersonAccess, *, user, made_at: datetime.datetime) -> None:
    about = book.add_worksheet("この出力について")
    bold = book.add_format({"bold": True})
    wrapped = book.add_format({"text_wrap": True, "valign": "top"})
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
    about.set_column(0, 0, 14)
    about.set_column(1, 1, 90)
    for n, (label, text) in enumerate(lines):
        about.write_string(n, 0, label, bold)
        about.write_string(n, 1, _text(text), wrapped)
