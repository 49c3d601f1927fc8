"""Forms of the 名寄せ review screens (labels and messages in Japanese)."""

from __future__ import annotations

from django import forms

from tsunagu.people.forms import BootstrapErrorsMixin

from .selectors.review import BANDS
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
