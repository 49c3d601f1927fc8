"""The statistics' choices: a 年度 (written any way: 令和8年度, R8, 2026) or a date range, and
for the office an agency; a 圏域 and one program for everyone."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

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
