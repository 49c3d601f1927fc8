"""Template filters for dates: ``{{ d|wareki }}``, ``{{ d|wareki_seireki }}``, ``{{ d|nendo }}``."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

from tsunagu.common.fiscal import fiscal_year, fiscal_year_label
from tsunagu.common.wareki import format_wareki, format_wareki_with_seireki

register = template.Library()


def _as_date(value):
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return None


@register.filter
def wareki(value):
    d = _as_date(value)
    return format_wareki(d) if d else ""


@register.filter
def wareki_seireki(value):
    d = _as_date(value)
    return format_wareki_with_seireki(d) if d else ""


@register.filter
def wareki_datetime(value):
    if not isinstance(value, datetime.datetime):
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{format_wareki(local.date())} {local:%H:%M:%S}"


@register.filter
def nendo(value):
    d = _as_date(value)
    return fiscal_year_label(fiscal_year(d)) if d else ""
