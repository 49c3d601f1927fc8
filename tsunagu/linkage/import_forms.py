"""Forms of the CSV import screens (labels and messages in Japanese)."""

from __future__ import annotations

from django import forms

from tsunagu.people.forms import BootstrapErrorsMixin

from .csvfile import IMPORT_FIELDS
from .services.imports import SOURCE_LABEL_MAX


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
