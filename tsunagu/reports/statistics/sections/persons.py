"""Who the records are about: age bands and sex, the same bands in every section."""

from __future__ import annotations

from datetime import date

from django.db.models import Case, CharField, Value, When

from tsunagu.common.wareki import age_on
from tsunagu.people.models import Sex

AGE_BANDS = (
    ("0-17", "18歳未満", 0, 17),
    ("18-39", "18〜39歳", 18, 39),
    ("40-64", "40〜64歳", 40, 64),
    ("65-74", "65〜74歳", 65, 74),
    ("75-", "75歳以上", 75, 200),
)
AGE_LABELS = {key: label for key, label, _, _ in AGE_BANDS}
SEX_LABELS = dict(Sex.choices)


def age_band(birth: date | None, on: date) -> str | None:
    """The band of the age on ``on`` (the period's first day); None when the date of birth is
    not known."""
    if birth is None or birth > on:
        return None
    age = age_on(birth, on)
    return next(key for key, _, low, high in AGE_BANDS if low <= age <= high)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 2/29 in a year without one
        return day.replace(year=day.year - years, day=28)


def age_band_expression(path: str, on: date) -> Case:
    """The same bands as :func:`age_band`, computed by the database: whoever was born on or
    before the day ``low`` years before ``on`` is at least ``low`` years old then."""
    whens = []
    for key, _, low, _ in reversed(AGE_BANDS):
        if low:
            whens.append(When(**{f"{path}__lte": _years_before(on, low)}, then=Value(key)))
    whens.append(When(**{f"{path}__lte": on}, then=Value(AGE_BANDS[0][0])))
    return Case(*whens, default=None, output_field=CharField())
