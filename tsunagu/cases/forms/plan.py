"""Forms of support plans, their items, the 支援決定 and the report to the municipality."""

from __future__ import annotations

from django import forms

from tsunagu.cases.models import StatutoryService
from tsunagu.common.forms import BootstrapForm, WarekiDateField

REQUIRED = "{label}を入力してください。"


def _text(label: str, *, required: bool = True, rows: int = 3, max_length: int | None = None):
    kwargs = {"max_length": max_length} if max_length else {}
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(),
        error_messages={
            "required": REQUIRED.format(label=label),
            "max_length": f"{label}は{max_length}文字以内で入力してください。",
        },
        **kwargs,
    )


class PlanForm(BootstrapForm):
    goals = _text("本人の目標")
    policy = _text("支援方針")
    next_monitoring_on = WarekiDateField(label="次回モニタリング予定日", required=False)
    evaluation_on = WarekiDateField(label="評価予定日", required=False)


class PlanItemForm(BootstrapForm):
    issue = _text("課題", rows=0, max_length=200)
    action = _text("支援内容", rows=2)
    agency = forms.TypedChoiceField(
        label="担当機関",
        coerce=int,
        error_messages={
            "required": "担当機関を選んでください。",
            "invalid_choice": "担当機関は選択肢から選んでください。",
        },
    )
    worker = _text("担当者", required=False, rows=0, max_length=100)
    frequency = _text("頻度", required=False, rows=0, max_length=100)
    period_start = WarekiDateField(label="期間（開始）", required=False)
    period_end = WarekiDateField(label="期間（終了）", required=False)
    statutory_service = forms.ChoiceField(
        label="法に基づく事業",
        required=False,
        choices=StatutoryService.choices,
        error_messages={"invalid_choice": "法に基づく事業は選択肢から選んでください。"},
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agency_objects = {a.pk: a for a in agencies}
        self.fields["agency"].choices = [
            ("", "選んでください"),
            *((a.pk, a.name) for a in agencies),
        ]

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["agency"] = self.agency_objects.get(data["agency"])
        return data


class SupportDecisionForm(BootstrapForm):
    decided_on = WarekiDateField(
        label="支援決定日", error_messages={"required": "支援決定日を入力してください。"}
    )
    decision_number = _text("決定番号", required=False, rows=0, max_length=50)
    notes = _text("備考", required=False, rows=2)


class PlanReportForm(BootstrapForm):
    reported_on = WarekiDateField(
        label="報告日", error_messages={"required": "報告日を入力してください。"}
    )
    reported_to = _text("報告先（自治体の担当）", rows=0, max_length=100)
    notes = _text("備考", required=False, rows=2)
