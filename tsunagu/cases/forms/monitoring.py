"""The form of a monitoring or evaluation: it parses input; the service decides."""

from __future__ import annotations

from django import forms

from tsunagu.cases.models import MonitoringKind, MonitoringOutcome
from tsunagu.common.forms import BootstrapForm, WarekiDateField


class MonitoringForm(BootstrapForm):
    kind = forms.ChoiceField(
        label="種別",
        choices=MonitoringKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "種別（モニタリング・評価）を選んでください。",
            "invalid_choice": "種別は選択肢から選んでください。",
        },
    )
    done_on = WarekiDateField(
        label="実施日", error_messages={"required": "実施日を入力してください。"}
    )
    findings = forms.CharField(
        label="確認した内容",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="プランの各項目の実施状況、本人・世帯の変化、本人の意向、支援チームの見立てなど。",
        error_messages={"required": "確認した内容を入力してください。"},
    )
    outcome = forms.ChoiceField(
        label="結果",
        choices=MonitoringOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "結果を選んでください。",
            "invalid_choice": "結果は選択肢から選んでください。",
        },
    )
    next_due_on = WarekiDateField(label="次回モニタリング予定日", required=False)

    def __init__(self, *args, monitoring_months: int = 3, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["next_due_on"].help_text = (
            f"空欄の場合は実施日の{monitoring_months}か月後になります"
            "（再プランを作成する場合は空欄にしてください）。"
        )

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "done_on": data["done_on"],
            "findings": data["findings"],
            "outcome": data["outcome"],
            "next_due_on": data.get("next_due_on"),
        }
