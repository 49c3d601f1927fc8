"""The statistics' choices: a 年度 (written any way: 令和8年度, R8, 2026) or a date range, and
for the office an agency; a 圏域 and one program for everyone."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from tsunagu.common.forms import BootstrapForm, WarekiDateField, WarekiDateInput

from .statistics import period as periods
from .statistics.sections import sections


class StatisticsForm(BootstrapForm):
    year = forms.CharField(
        label="年度",
        required=False,
        max_length=20,
        help_text="例：令和8年度、R8、2026（空欄は今年度）",
    )
    date_from = WarekiDateField(
        label="期間（開始日）",
        required=False,
        widget=WarekiDateInput({"placeholder": "例：令和8年4月1日"}),
    )
    date_to = WarekiDateField(
        label="期間（終了日）",
        required=False,
        widget=WarekiDateInput({"placeholder": "例：令和8年9月30日"}),
    )
    agency = forms.TypedChoiceField(label="機関", required=False, coerce=int, empty_value=None)
    area = forms.TypedChoiceField(label="圏域", required=False, coerce=int, empty_value=None)
    section = forms.ChoiceField(label="事業", required=False)

    def __init__(self, *args, agencies=(), areas=(), office: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "すべての圏域"), *((a.pk, a.name) for a in areas)]
        self.fields["section"].choices = [
            ("", "すべての事業"),
            *((s.key, s.title) for s in sections()),
        ]
        if office:
            self.fields["agency"].choices = [
                ("", "市全体（すべての機関）"),
                *((a.pk, a.name) for a in agencies),
            ]
        else:
            del self.fields["agency"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["period"] = periods.parse(
                data.get("year") or "", data.get("date_from"), data.get("date_to")
            )
        except ValidationError as error:
            self.add_service_errors(error)
        return data


class DisclosureRequestForm(BootstrapForm):
    """The disclosure request being answered (開示請求): its reference number and date, recorded
    with the audited export."""

    reference = forms.CharField(
        label="受付番号",
        max_length=50,
        error_messages={"required": "開示請求の受付番号を入力してください。"},
        help_text="例：R8開示第12号",
    )
    requested_on = WarekiDateField(
        label="請求日",
        error_messages={"required": "開示請求を受け付けた日を入力してください。"},
        widget=WarekiDateInput({"placeholder": "例：令和8年12月1日"}),
    )
    note = forms.CharField(
        label="備考（請求の内容など）",
        required=False,
        max_length=150,
        widget=forms.TextInput(),
    )

    def clean_reference(self):
        reference = " ".join(self.cleaned_data["reference"].split())
        if not reference:
            raise ValidationError("開示請求の受付番号を入力してください。", code="required")
        return reference

    def clean_requested_on(self):
        day = self.cleaned_data["requested_on"]
        if day > timezone.localdate():
            raise ValidationError("請求日に今日より後の日付は指定できません。", code="future")
        return day

    def clean_note(self):
        return " ".join(self.cleaned_data.get("note", "").split())
