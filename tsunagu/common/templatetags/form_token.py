"""``{% form_token %}``: the hidden one-time token of a POST form (see common/form_token.py)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from tsunagu.common.form_token import FIELD, new_token

register = template.Library()


@register.simple_tag
def form_token() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
