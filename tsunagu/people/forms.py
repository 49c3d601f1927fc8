"""Forms of the person and household pages (labels and messages in Japanese)."""

from __future__ import annotations

import re
import unicodedata

from django import forms

from tsunagu.common.forms import BootstrapErrorsMixin, WarekiDateField, WarekiDateInput
from tsunagu.common.validation import kana_error, kana_reading, phone_error, phone_number

from .models import Relation, Sex

_POSTAL_RE = re.compile(r"^(\d{3})-?(\d{4})$")


def _text(label: str, *, required: bool = False, max_length: int = 200, **attrs) -> forms.Field:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs={"class": "form-control", **attrs}),
        error_messages={
            "required": f"{label}を入力してください。",
            "max_length": f"{label}は%(limit_value)d文字以内で入力してください。",
        },
    )


def _date(label: str) -> WarekiDateField:
    return WarekiDateField(
        label=label, required=False, widget=WarekiDateInput(attrs={"class": "form-control"})
    )


class PersonSearchForm(BootstrapErrorsMixin, forms.Form):
    q = forms.CharField(
        label="氏名・フリガナ",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "type": "search",
                "placeholder": "例：佐藤、さとう はなこ、髙橋",
                "autocomplete": "off",
            }
        ),
        error_messages={"max_length": "検索語は%(limit_value)d文字以内で入力してください。"},
    )
    birth_date = _date("生年月日")


class PersonForm(BootstrapErrorsMixin, forms.Form):
    name = _text("氏名", required=True, max_length=100, autocomplete="off")
    name_kana = _text("フリガナ", required=True, max_length=100, autocomplete="off")
    birth_date = _date("生年月日")
    # Nothing preselected: not choosing records 不明・回答なし (the model's default)
    sex = forms.ChoiceField(
        label="性別",
        choices=[("", "選択してください"), *Sex.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "required": "性別を選んでください。",
            "invalid_choice": "性別の値が正しくありません。",
        },
    )
    postal_code = _text("郵便番号", max_length=10, placeholder="例：500-8701", inputmode="numeric")
    address = _text("住所", max_length=200)
    phone = _text("電話", max_length=30, inputmode="tel")
    mobile_phone = _text("携帯", max_length=30, inputmode="tel")
    contact_notes = forms.CharField(
        label="連絡上の注意",
        required=False,
        widget=forms.Textarea(
            attrs={
                "class": "form-control",
                "rows": 2,
                "placeholder": "例：日中は留守がち。電話は夕方以降に。",
            }
        ),
    )
    # Asked only when the household page sent the user here to add a member
    relation = forms.ChoiceField(
        label="続柄（世帯主から見た関係）",
        choices=[("", "選んでください"), *Relation.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "required": "続柄を選んでください。",
            "invalid_choice": "続柄の値が正しくありません。",
        },
    )
    # Asked only after the "is this person known?" check found possible matches
    confirm_not_duplicate = forms.BooleanField(
        label="上記とは別の方として登録する",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    duplicate_reason = forms.CharField(
        label="別の方と判断した理由",
        required=False,
        max_length=500,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": "例：生年月日と住所が異なる"}
        ),
        error_messages={"max_length": "理由は%(limit_value)d文字以内で入力してください。"},
    )

    def __init__(self, *args, with_relation: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_relation:
            self.fields["relation"].required = True
        else:
            del self.fields["relation"]

    # The same rules as the registration service (tsunagu.common.validation), shown per field
    def clean_name_kana(self) -> str:
        kana = self.cleaned_data["name_kana"]
        if error := kana_error(kana):
            raise forms.ValidationError(error)
        # フリガナ is kept in full-width katakana so lists read and sort alike
        return kana_reading(kana)

    def clean_phone(self) -> str:
        if error := phone_error(self.cleaned_data["phone"], "電話番号"):
            raise forms.ValidationError(error)
        return phone_number(self.cleaned_data["phone"])

    def clean_mobile_phone(self) -> str:
        if error := phone_error(self.cleaned_data["mobile_phone"], "携帯電話"):
            raise forms.ValidationError(error)
        return phone_number(self.cleaned_data["mobile_phone"])

    def clean_sex(self) -> str:
        return self.cleaned_data["sex"] or Sex.UNKNOWN

    def clean_postal_code(self) -> str:
        raw = self.cleaned_data["postal_code"].strip()
        if not raw:
            return ""
        digits = unicodedata.normalize("NFKC", raw).replace("ー", "-").replace("−", "-")
        match = _POSTAL_RE.match(digits.replace(" ", ""))
        if not match:
            raise forms.ValidationError(
                "郵便番号は「500-8701」のように7桁の数字で入力してください。"
            )
        return f"{match.group(1)}-{match.group(2)}"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("confirm_not_duplicate") and not cleaned.get("duplicate_reason", "").strip():
            self.add_error(
                "duplicate_reason",
                "別の方として登録する場合は、別の方と判断した理由を入力してください。",
            )
        return cleaned

    def person_fields(self) -> dict:
        """The cleaned values the registration service takes."""
        keys = (
            "name",
            "name_kana",
            "birth_date",
            "sex",
            "postal_code",
            "address",
            "phone",
            "mobile_phone",
            "contact_notes",
        )
        return {key: self.cleaned_data[key] for key in keys}


class KnownCheckForm(forms.Form):
    """The query of the inline "is this person known?" check (invalid dates are ignored)."""

    name = forms.CharField(required=False, max_length=100)
    name_kana = forms.CharField(required=False, max_length=100)
    birth_date = WarekiDateField(required=False)
    sex = forms.CharField(required=False, max_length=10)
    address = forms.CharField(required=False, max_length=200)
    phone = forms.CharField(required=False, max_length=30)
    mobile_phone = forms.CharField(required=False, max_length=30)


class HouseholdForm(BootstrapErrorsMixin, forms.Form):
    label = _text("世帯の呼称", required=True, max_length=100, placeholder="例：山田世帯")
    address = _text("住所", max_length=200)
    notes = forms.CharField(
        label="備考",
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )


class MemberRelationForm(forms.Form):
    """The relation picker next to 「世帯員を追加する」 on the household page."""

    relation = forms.ChoiceField(
        label="続柄",
        choices=Relation.choices,
        initial=Relation.CHILD,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
