"""Validation helpers shared by services."""

from __future__ import annotations

import re
import unicodedata

from django.db import models


def max_length_errors(model: type[models.Model], **values) -> dict[str, str]:
    """Japanese messages for values longer than their model field allows."""
    errors = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        limit = getattr(field, "max_length", None)
        if limit and value is not None and len(str(value)) > limit:
            errors[name] = f"{field.verbose_name}は{limit}文字以内で入力してください。"
    return errors


def choice_error(choices: type[models.TextChoices], value: str, label: str) -> dict[str, str]:
    return {} if value in choices.values else {label: "選択肢の中から選んでください。"}


# --- readings (フリガナ) and phone numbers: one rule for the screens, the API and imports ---

# Hiragana, katakana (half-width is folded by NFKC), the long-vowel mark, middle dots, the
# double hyphen of foreign names and spaces
_KANA_RE = re.compile(r"^[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\s・=＝ー－-]+$")
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}
# Dashes people type in phone numbers (NFKC leaves these unfolded)
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−ー－", "-"))
_PHONE_RE = re.compile(r"^\+?[0-9()\- ]+$")
PHONE_MIN_DIGITS = 10
PHONE_MAX_DIGITS = 15


def kana_reading(value: str) -> str:
    """A reading as stored: NFKC (half-width katakana folded), hiragana as katakana."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    return text.translate(_HIRAGANA_TO_KATAKANA)


def kana_error(value: str, label: str = "フリガナ") -> str | None:
    """A Japanese message when ``value`` is not written in kana only (empty is allowed)."""
    text = kana_reading(value)
    if text and not _KANA_RE.match(text):
        return f"{label}はカタカナまたはひらがなで入力してください。"
    return None


def phone_number(value: str) -> str:
    """A phone number as stored: full-width digits and dashes folded to ASCII."""
    text = unicodedata.normalize("NFKC", value or "").translate(_DASHES).strip()
    return re.sub(r"\s+", " ", text)


def phone_error(value: str, label: str = "電話番号") -> str | None:
    """A Japanese message when ``value`` is not a phone number (empty is allowed)."""
    text = phone_number(value)
    if not text:
        return None
    digits = sum(ch.isdigit() for ch in text)
    if not _PHONE_RE.match(text) or not PHONE_MIN_DIGITS <= digits <= PHONE_MAX_DIGITS:
        return (
            f"{label}は「058-123-4567」のように、数字（{PHONE_MIN_DIGITS}〜{PHONE_MAX_DIGITS}桁）"
            "とハイフン・括弧で入力してください。"
        )
    return None
