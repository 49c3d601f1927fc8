"""Forms of the 支援経過記録: they parse input; ``activity.activity_record`` decides."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.utils import timezone

from tsunagu.cases.models import ActivityKind
from tsunagu.cases.services.activity import SUMMARY_MAX
from tsunagu.common.forms import BootstrapForm, WarekiDateField


class ActivityForm(BootstrapForm):
    occurred_on = WarekiDateField(
        label="実施日", error_messages={"required": "実施日を入力してください。"}
    )
    kind = forms.ChoiceField(
        label="種別",
        choices=[("", "選んでください"), *ActivityKind.choices],
        error_messages={
            "required": "種別を選んでください。",
            "invalid_choice": "種別を選択肢から選んでください。",
        },
    )
    summary = forms.CharField(
        label="内容",
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="誰と、何を、どうしたか。本人・家族の様子や、次に予定していることも書きます。",
        error_messages={
            "required": "内容を入力してください。",
            "max_length": f"内容は{SUMMARY_MAX}文字以内で入力してください。",
        },
    )
    is_contact_attempt = forms.BooleanField(
        label="本人への連絡の試みとして記録する",
        required=False,
        help_text="本人と全く連絡が取れず中断を協議するとき、会議で連絡の試みの記録として示されます。",
    )
    reached_person = forms.BooleanField(
        label="本人と連絡が取れた",
        required=False,
        help_text="連絡の試みとして記録する場合に、本人と連絡が取れたかどうかを選びます。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and "occurred_on" not in self.initial:
            self.initial["occurred_on"] = timezone.localdate()

    def clean(self):
        data = super().clean()
        if data.get("reached_person") and not data.get("is_contact_attempt"):
            self.add_error(
                "reached_person",
                "「本人と連絡が取れた」は、本人への連絡の試みとして記録する場合に選んでください。",
            )
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "occurred_on": data["occurred_on"],
            "kind": data["kind"],
            "summary": data["summary"],
            "is_contact_attempt": data["is_contact_attempt"],
            "reached_person": data["reached_person"],
        }


class ActivityFilterForm(BootstrapForm):
    kind = forms.ChoiceField(
        label="種別", required=False, choices=[("", "すべて"), *ActivityKind.choices]
    )
    agency = forms.TypedChoiceField(
        label="記録した機関", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, agencies: Iterable = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "すべて"), *((a.pk, a.name) for a in agencies)]
        self.fields["kind"].error_messages["invalid_choice"] = "種別は選択肢から選んでください。"
        self.fields["agency"].error_messages["invalid_choice"] = (
            "記録した機関は選択肢から選んでください。"
        )
