"""Text as it is kept: one rule for every text the program stores, wherever it was typed.

Screens, the API, CSV imports and the admin all end in a model's ``save()``; there, before the
row is written, every ``CharField`` and ``TextField`` of the program's models goes through
:func:`clean_text` (:func:`clean_model_text`, a ``pre_save`` receiver connected once in
``CommonConfig.ready()``):

* invisible characters that change what text looks like are removed: C0 controls (ESC with
  the terminal sequence it starts), DEL, C1 controls, the bidirectional overrides, embeddings,
  isolates and marks (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), zero-width space
  and word joiner (U+200B, U+2060) and the byte order mark (U+FEFF);
* line breaks become ``\\n`` (``\\r\\n``, ``\\r``, and the vertical tab, form feed, NEL and
  U+2028/U+2029 that word processors paste); a single-line field (``CharField``) keeps one
  line: its line breaks and tabs become spaces. Multi-line text keeps ``\\n`` and ``\\t``;
* everything else stays as typed: Japanese text, the variation selectors of 異体字 (IVS),
  the zero-width joiner of emoji (U+200D) and non-joiner (U+200C).

The same ``save()`` refuses a text typed into a field (``editable``; keys derived by the
program are not) longer than its column (``max_length``) or, for a ``TextField``, than
:data:`TEXT_MAX_LENGTH`, with a Japanese ``ValidationError`` by field:
a screen shows it on its form, the API answers 422. The web forms refuse it first
(:class:`tsunagu.common.forms.BootstrapForm`), keeping what was typed.

The audit trail's own rows are not touched (they are sealed in a hash chain as written); an
event's changes show the cleaned texts where the service takes them from the saved row
(``audit.services.snapshot``), as the services of records do.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models

#: The longest text a multi-line field keeps (about 15 pages of A4)
TEXT_MAX_LENGTH = 20_000

# ESC and the sequence it starts: CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), or one
# character; the C1 CSI (U+009B) likewise
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[ -~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
)
_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
#: removed wherever they appear
FORBIDDEN = re.compile(
    r"[\x00-\x08\x0e-\x1f\x7f\x80-\x9f"  # C0 (but \t \n \v \f \r), DEL, C1
    r"\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)


def clean_text(value: str, *, multiline: bool = True) -> str:
    """``value`` as it is kept (see the module's docstring)."""
    if value.isprintable():
        # false for every character changed here (controls, format characters, line
        # separators), but also for \n, \t and U+3000: the common case returns at once
        return value
    text = _ESCAPE_SEQUENCE.sub("", value)
    text = _LINE_BREAKS.sub("\n", text)
    text = FORBIDDEN.sub("", text)
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    return text


# --- on every save -----------------------------------------------------------------------

_UNTOUCHED_APPS = {"audit"}
_fields_of: dict[type, list[models.Field]] = {}


def _text_fields(model: type[models.Model]) -> list[models.Field]:
    """The texts of ``model`` that are cleaned: none for a model outside the program's apps
    or of the audit trail; choices (codes) are left alone."""
    fields = _fields_of.get(model)
    if fields is None:
        config = model._meta.app_config
        ours = config is not None and config.name.startswith("tsunagu.")
        fields = [
            field
            for field in model._meta.concrete_fields
            if ours
            and config.label not in _UNTOUCHED_APPS
            and isinstance(field, models.CharField | models.TextField)
            and not field.choices
        ]
        _fields_of[model] = fields
    return fields


def too_long(length: int, label: str = "入力") -> str:
    """The message for a multi-line text over :data:`TEXT_MAX_LENGTH`."""
    return (
        f"{label}が長すぎます（最大{TEXT_MAX_LENGTH:,}文字、入力は{length:,}文字）。"
        "分けて記録してください。"
    )


def length_error(field: models.Field, value: str) -> str | None:
    """A Japanese message when ``value`` is longer than ``field`` keeps."""
    label = field.verbose_name or field.name
    if isinstance(field, models.TextField):
        if field.editable and len(value) > TEXT_MAX_LENGTH:
            return too_long(len(value), label)
    elif field.editable and field.max_length and len(value) > field.max_length:
        return f"{label}は{field.max_length:,}文字以内で入力してください。"
    return None


def clean_model_text(sender, instance, raw=False, **kwargs) -> None:
    """``pre_save`` of every model: clean each text of a program's model; refuse one too
    long. Connected once, in ``CommonConfig.ready()``."""
    if raw:  # loading fixtures: stored as given
        return
    errors = {}
    for field in _text_fields(sender):
        value = getattr(instance, field.attname)
        if not isinstance(value, str):
            continue
        cleaned = clean_text(value, multiline=isinstance(field, models.TextField))
        if cleaned != value:
            setattr(instance, field.attname, cleaned)
        message = length_error(field, cleaned)
        if message:
            errors[field.name] = message
    if errors:
        raise ValidationError(errors)
