from ninja import Router, Schema
from ninja.errors import HttpError

from .fiscal import fiscal_year, fiscal_year_label
from .wareki import WarekiError, format_wareki, format_wareki_with_seireki, parse_date

router = Router(tags=["共通"])


class DateOut(Schema):
    date: str
    wareki: str
    wareki_with_seireki: str
    fiscal_year: int
    fiscal_year_label: str


@router.get("/dates/parse", response=DateOut, summary="和暦・西暦の日付を解釈する")
def parse(request, text: str):
    """``昭和55年3月1日``・``S55.3.1``・``1980-03-01`` などを ISO 形式の日付にします。"""
    try:
        d = parse_date(text)
    except WarekiError as exc:
        raise HttpError(422, exc.message) from exc
    fy = fiscal_year(d)
    return DateOut(
        date=d.isoformat(),
        wareki=format_wareki(d),
        wareki_with_seireki=format_wareki_with_seireki(d),
        fiscal_year=fy,
        fiscal_year_label=fiscal_year_label(fy),
    )
