"""Who the records are about: age bands and sex, the same bands in every section."""

from __future__ import annotations

from datetime import date

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
