"""Forms of the 気づき・通報 screens: they parse input;
:mod:`tsunagu.community.services.reports` decides."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from tsunagu.common.forms import BootstrapForm
from tsunagu.common.wareki import format_wareki

from ..models import Frequency, ReportOrigin, Triage
from ..services.reports import WHAT_MAX
from .watches import _Dated, choice, date, object_choice, text


class ReportForm(_Dated):
    today_fields = ("received_on", "noticed_on")

    received_on = date("受付日")
    received_time = forms.TimeField(
        label="受付時刻",
        required=False,
        help_text="例：14:30（空欄は今の時刻）",
        error_messages={"invalid": "受付時刻は 14:30 のように入力してください。"},
    )
    origin = choice("通報者の種類", ReportOrigin.choices)
    reporter_name = text("通報者の氏名・名称", 100)
    reporter_contact = text("通報者への連絡方法", 100, help_text="電話番号、店の代表番号など")
    noticed_on = date("気づいた日", required=False)
    place = text("場所", 200)
    what = text("気づいたこと", WHAT_MAX, required=True, rows=5)

    def __init__(self, *args, areas=(), activities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"] = object_choice("圏域", areas, required=False, blank="不明・未選択")
        self.fields["area"].widget.attrs["class"] = "form-select"
        self.fields["activity"] = object_choice(
            "気づいた地域づくり活動", activities, required=False, blank="活動の場ではない"
        )
        self.fields["activity"].widget.attrs["class"] = "form-select"
        self.fields["activity"].choices = [
            ("", "活動の場ではない"),
            *(
                (a.pk, f"{format_wareki(timezone.localdate(a.starts_at))} {a.title}")
                for a in activities
            ),
        ]
        self.fields["activity"].help_text = "サロンなどの活動の場で聞いたときに選びます（最近60日）"
        self.order_fields(
            [
                "received_on",
                "received_time",
                "origin",
                "reporter_name",
                "reporter_contact",
                "noticed_on",
                "activity",
                "place",
                "area",
                "what",
            ]
        )

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        now = timezone.localtime()
        day = data["received_on"]
        at = data.get("received_time") or (now.time() if day == now.date() else datetime.time(9))
        received_at = timezone.make_aware(datetime.datetime.combine(day, at))
        return {
            "received_at": received_at,
            "origin": data["origin"],
            "reporter_name": data["reporter_name"],
            "reporter_contact": data["reporter_contact"],
            "noticed_on": data.get("noticed_on"),
            "place": data["place"],
            "area": self.picked("area"),
            "what": data["what"],
            "activity": self.picked("activity"),
        }


FIELD_OUTCOMES = {
    "agency": "consultation watch",
    "person": "consultation watch",
    "categories": "consultation",
    "consent_to_share": "consultation",
    "watch": "watch",
    "watch_label": "watch",
    "watch_frequency": "watch",
    "outreach_record": "outreach",
    "reason": "consultation outreach watch",
    "no_action_reason": "no_action",
}


class TriageForm(BootstrapForm):
    triage = forms.ChoiceField(
        label="振り分け",
        choices=Triage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "振り分け先を選んでください。"},
    )
    reason = text("つなぐ理由・依頼内容", 2000, rows=3, help_text="空欄は気づいたことのまま")
    no_action_reason = text("対応しない理由", 300, rows=2)
    consent_to_share = forms.BooleanField(
        label="本人が関係機関での情報共有に同意している", required=False
    )
    watch_label = text("見守りの呼び名", 60, help_text="新しく見守るとき（例：3丁目 80代女性）")
    watch_frequency = choice("確認の頻度", Frequency.choices, required=False)
    outreach_record = forms.IntegerField(
        label="アウトリーチ対象の番号",
        required=False,
        help_text="アウトリーチ実施機関が登録した対象の番号",
        error_messages={"invalid": "番号は数字で入力してください。"},
    )

    def __init__(self, *args, agencies=(), categories=(), watches=(), persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"] = object_choice(
            "つなぐ機関（相談窓口・見守りを担う機関）", agencies, required=False
        )
        self.fields["person"] = object_choice(
            "本人（相談では必須・見守りでは分かれば）",
            persons,
            required=False,
            blank="通報の本人のまま",
        )
        self.fields["watch"] = object_choice(
            "既にある見守り", watches, required=False, blank="新しく見守る"
        )
        for name in ("agency", "person", "watch"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["categories"] = forms.TypedMultipleChoiceField(
            label="相談内容",
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            choices=[(c.pk, c.name) for c in categories],
        )
        self.category_objects = {c.pk: c for c in categories}
        # which outcome each field belongs to (the page shows the chosen outcome's fields)
        for name, outcomes in FIELD_OUTCOMES.items():
            self.fields[name].outcomes = outcomes
        self.order_fields(
            [
                "triage",
                "agency",
                "person",
                "categories",
                "consent_to_share",
                "watch",
                "watch_label",
                "watch_frequency",
                "outreach_record",
                "reason",
                "no_action_reason",
            ]
        )

    def picked(self, name):
        return self.fields[name].objects.get(self.cleaned_data.get(name))


class ReportFilterForm(BootstrapForm):
    q = forms.CharField(label="検索（内容・場所・通報者・圏域）", required=False, max_length=100)
    state = choice(
        "状態",
        [("untriaged", "未振り分け"), ("triaged", "振り分け済み")],
        required=False,
        blank="すべて",
    )
    origin = choice("通報者の種類", ReportOrigin.choices, required=False, blank="すべて")
    triage = choice("振り分け", Triage.choices, required=False, blank="すべて")
