"""Forms of the 名寄せ screens: the review queue, a pair's decision, the undo of a merge,
and the CSV import (labels and messages in Japanese)."""

from __future__ import annotations

from django import forms

from tsunagu.common.forms import BootstrapErrorsMixin

from .csvfile import IMPORT_FIELDS
from .selectors.review import BANDS
from .services.imports import SOURCE_LABEL_MAX
from .services.shared import NOTE_MAX


def _note(label: str, *, required: bool) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        error_messages={
            "required": f"{label}を入力してください。",
            "max_length": f"{label}は%(limit_value)d文字以内で入力してください。",
        },
    )


class BandFilterForm(BootstrapErrorsMixin, forms.Form):
    band = forms.ChoiceField(
        label="一致確率",
        required=False,
        choices=[("", "すべて")] + [(key, label) for key, (label, _, _) in BANDS.items()],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class ConfirmForm(BootstrapErrorsMixin, forms.Form):
    survivor = forms.TypedChoiceField(
        label="残す記録",
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={
            "required": "残す記録を選んでください。",
            "invalid_choice": "残す記録は候補の2件のどちらかを選んでください。",
        },
    )
    note = _note("確認メモ", required=False)

    def __init__(self, *args, candidate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].choices = [
            (candidate.person_a_id, f"A：{candidate.person_a.name}（ID {candidate.person_a_id}）"),
            (candidate.person_b_id, f"B：{candidate.person_b.name}（ID {candidate.person_b_id}）"),
        ]


class RejectForm(BootstrapErrorsMixin, forms.Form):
    note = _note("別人と判断した理由", required=True)


class UnmergeForm(BootstrapErrorsMixin, forms.Form):
    reason = _note("元に戻す理由", required=True)


# --- CSV import -------------------------------------------------------------------------


class ImportUploadForm(BootstrapErrorsMixin, forms.Form):
    source_label = forms.CharField(
        label="取込元システム",
        max_length=SOURCE_LABEL_MAX,
        help_text="例：介護保険システム、生活困窮者自立相談支援システム",
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={
            "required": "取込元システムの名前を入力してください。",
            "max_length": "取込元システムは%(limit_value)d文字以内で入力してください。",
        },
    )
    file = forms.FileField(
        label="CSVファイル",
        help_text="UTF-8 または Shift_JIS（CP932）のCSVファイル。1行目は見出し行にしてください。",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,text/csv"}),
        error_messages={
            "required": "CSVファイルを選んでください。",
            "empty": "ファイルが空です。",
            "invalid": "ファイルを選び直してください。",
        },
    )


class ImportMappingForm(BootstrapErrorsMixin, forms.Form):
    """One select per field; the choices are the CSV's header cells."""

    def __init__(self, *args, header: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "（使わない）")] + [
            (str(i), f"{i + 1}列目：{name or '（見出しなし）'}") for i, name in enumerate(header)
        ]
        for field in IMPORT_FIELDS:
            self.fields[field.key] = forms.TypedChoiceField(
                label=field.label,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=field.required,
                widget=forms.Select(attrs={"class": "form-select"}),
                error_messages={
                    "required": f"「{field.label}」の列を選んでください。",
                    "invalid_choice": "選択肢の中から選んでください。",
                },
            )

    def mapping(self) -> dict[str, int]:
        return {k: v for k, v in self.cleaned_data.items() if v is not None}
