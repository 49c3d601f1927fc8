"""Forms of meetings: they parse input; the services decide what is allowed."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django import forms
from django.utils import timezone

from tsunagu.common.forms import BootstrapForm, WarekiDateField

from .models import (
    CASE_PURPOSE_CHOICES,
    AgendaPurpose,
    DecisionOutcome,
    Format,
    MeetingKind,
    Schedule,
)
from .selectors import PAST, UPCOMING, outcomes_for

TITLE_MAX = 200
NAME_MAX = 100
REASON_MAX = 200


def _choice_messages(label: str) -> dict:
    return {
        "required": f"{label}を選んでください。",
        "invalid_choice": f"{label}は選択肢から選んでください。",
    }


def _time_field(label: str, required: bool = True) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H:%M:%S"],
        error_messages={
            "required": f"{label}を入力してください。",
            "invalid": f"{label}は「14:00」のように入力してください。",
        },
    )


def combine(day: datetime.date, time: datetime.time | None) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time or datetime.time(0, 0)))


class MeetingFilterForm(BootstrapForm):
    q = forms.CharField(label="会議名", required=False, max_length=100)
    kind = forms.ChoiceField(
        label="種類", required=False, choices=[("", "すべて"), *MeetingKind.choices]
    )
    when = forms.ChoiceField(
        label="開催",
        required=False,
        choices=[("", "すべて"), (UPCOMING, "これから"), (PAST, "開催済み")],
    )
    schedule = forms.ChoiceField(
        label="開催区分", required=False, choices=[("", "すべて"), *Schedule.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in (("kind", "種類"), ("when", "開催"), ("schedule", "開催区分")):
            message = f"{label}は選択肢から選んでください。"
            self.fields[name].error_messages["invalid_choice"] = message
        self.fields["q"].widget.attrs["placeholder"] = "会議名の一部"
        self.fields["q"].widget.input_type = "search"


class MeetingForm(BootstrapForm):
    kind = forms.ChoiceField(
        label="会議の種類",
        choices=MeetingKind.choices,
        error_messages=_choice_messages("会議の種類"),
    )
    title = forms.CharField(
        label="会議名",
        max_length=TITLE_MAX,
        error_messages={
            "required": "会議名を入力してください。",
            "max_length": f"会議名は{TITLE_MAX}文字以内で入力してください。",
        },
    )
    schedule = forms.ChoiceField(
        label="開催区分",
        choices=Schedule.choices,
        widget=forms.RadioSelect,
        error_messages=_choice_messages("定例か随時か"),
    )
    series = forms.CharField(
        label="定例会議の系列",
        required=False,
        max_length=100,
        help_text="例：毎月第2火曜の定例会",
        error_messages={"max_length": "定例会議の系列は100文字以内で入力してください。"},
    )
    format = forms.ChoiceField(
        label="開催方法",
        choices=Format.choices,
        widget=forms.RadioSelect,
        error_messages=_choice_messages("開催方法"),
    )
    starts_on = WarekiDateField(
        label="開催日", error_messages={"required": "開催日を入力してください。"}
    )
    starts_time = _time_field("開始時刻")
    place = forms.CharField(
        label="場所・接続先",
        required=False,
        max_length=200,
        error_messages={"max_length": "場所・接続先は200文字以内で入力してください。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].widget.attrs["placeholder"] = "例：R8.12.8"

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "schedule": data["schedule"],
            "format": data["format"],
            "starts_at": combine(data["starts_on"], data["starts_time"]),
            "place": data["place"],
            "series": data["series"],
        }


class MemberForm(BootstrapForm):
    """A user of the system (picked by membership), or someone outside it (name + agency)."""

    membership = forms.TypedChoiceField(
        label="システムの利用者",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "利用者は選択肢から選んでください。"},
    )
    name = forms.CharField(
        label="氏名（システムを使わない方）",
        required=False,
        max_length=NAME_MAX,
        error_messages={"max_length": f"氏名は{NAME_MAX}文字以内で入力してください。"},
    )
    agency = forms.TypedChoiceField(
        label="所属機関（システムを使わない方）",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "所属機関は選択肢から選んでください。"},
    )
    is_guest = forms.BooleanField(label="ゲスト（この会議だけの招待）", required=False)
    invited_until_on = WarekiDateField(label="招待の期限（日）", required=False)
    invited_until_time = _time_field("招待の期限（時刻）", required=False)

    def __init__(self, *args, users: Iterable = (), agencies: Iterable = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [("", "選んでください"), *users]
        agencies = list(agencies)
        self.agency_objects = {a.pk: a for a in agencies}
        self.fields["agency"].choices = [
            ("", "選んでください"),
            *((a.pk, a.name) for a in agencies),
        ]
        self.fields[
            "invited_until_on"
        ].help_text = "ゲストの招待は、指定がなければ会議当日の終わりまでです。"

    def clean(self):
        data = super().clean()
        if not data.get("membership") and not (data.get("name") or "").strip():
            self.add_error(
                "membership", "利用者を選ぶか、システムを使わない方の氏名を入力してください。"
            )
        if data.get("invited_until_time") and not data.get("invited_until_on"):
            self.add_error("invited_until_on", "招待の期限の日付を入力してください。")
        return data

    def invited_until(self) -> datetime.datetime | None:
        day = self.cleaned_data.get("invited_until_on")
        if day is None:
            return None
        time = self.cleaned_data.get("invited_until_time") or datetime.time(23, 59, 59)
        return combine(day, time)

    def chosen_agency(self):
        pk = self.cleaned_data.get("agency")
        return self.agency_objects.get(pk) if pk else None


class AgendaForm(BootstrapForm):
    purpose = forms.ChoiceField(
        label="目的", choices=CASE_PURPOSE_CHOICES, error_messages=_choice_messages("議題の目的")
    )
    case = forms.TypedChoiceField(
        label="事例",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="社会資源の開発以外は必須です。",
        error_messages={"invalid_choice": "事例は選択肢から選んでください。"},
    )
    title = forms.CharField(
        label="議題（補足）",
        required=False,
        max_length=TITLE_MAX,
        error_messages={"max_length": f"議題は{TITLE_MAX}文字以内で入力してください。"},
    )

    def __init__(self, *args, cases: Iterable = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [("", "選んでください"), *cases]


class WithdrawForm(BootstrapForm):
    reason = forms.CharField(
        label="取り下げの理由",
        max_length=REASON_MAX,
        error_messages={
            "required": "取り下げの理由を入力してください。",
            "max_length": f"取り下げの理由は{REASON_MAX}文字以内で入力してください。",
        },
    )


class DecisionForm(BootstrapForm):
    outcome = forms.ChoiceField(
        label="決定", widget=forms.RadioSelect, error_messages=_choice_messages("決定の内容")
    )
    decision_text = forms.CharField(
        label="決定の内容・理由", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    lead_agency = forms.TypedChoiceField(
        label="終結後の主担当機関",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "主担当機関は選択肢から選んでください。"},
    )
    contact_attempts = forms.CharField(
        label="行った連絡の試み",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="中断は、本人と全く連絡が取れない場合に限られます。",
    )

    def __init__(self, *args, purpose: str, agencies: Iterable = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.purpose = purpose
        self.fields["outcome"].choices = [
            (o.value, DecisionOutcome(o).label) for o in outcomes_for(purpose)
        ]
        agencies = list(agencies)
        self.agency_objects = {a.pk: a for a in agencies}
        if purpose == AgendaPurpose.CLOSURE:
            self.fields["lead_agency"].choices = [
                ("", "選んでください"),
                *((a.pk, a.name) for a in agencies),
            ]
        else:
            del self.fields["lead_agency"]
        if purpose != AgendaPurpose.SUSPENSION:
            del self.fields["contact_attempts"]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        pk = data.get("lead_agency")
        return {
            "outcome": data["outcome"],
            "decision_text": data["decision_text"],
            "lead_agency": self.agency_objects.get(pk) if pk else None,
            "contact_attempts": data.get("contact_attempts") or "",
        }


class AttendanceForm(forms.Form):
    attended = forms.TypedMultipleChoiceField(
        label="出席した方",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "この会議の構成員ではない方が含まれています。"},
    )

    def __init__(self, *args, members: Iterable = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [
            (m.pk, f"{m.name}（{m.agency.name}）" if m.agency_id else m.name) for m in members
        ]


class MinutesForm(BootstrapForm):
    minutes = forms.CharField(
        label="議事録", required=False, widget=forms.Textarea(attrs={"rows": 14})
    )


class ActionItemForm(BootstrapForm):
    description = forms.CharField(
        label="内容",
        max_length=300,
        error_messages={
            "required": "宿題の内容を入力してください。",
            "max_length": "宿題の内容は300文字以内で入力してください。",
        },
    )
    owner_agency = forms.TypedChoiceField(
        label="担当機関", coerce=int, empty_value=None, error_messages=_choice_messages("担当機関")
    )
    owner_name = forms.CharField(
        label="担当者",
        required=False,
        max_length=NAME_MAX,
        error_messages={"max_length": f"担当者は{NAME_MAX}文字以内で入力してください。"},
    )
    due_on = WarekiDateField(label="期限", error_messages={"required": "期限を入力してください。"})
    agenda_item = forms.TypedChoiceField(
        label="関係する議題",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "議題は選択肢から選んでください。"},
    )

    def __init__(self, *args, agencies: Iterable = (), items: Iterable = (), **kwargs):
        super().__init__(*args, **kwargs)
        agencies = list(agencies)
        self.agency_objects = {a.pk: a for a in agencies}
        self.fields["owner_agency"].choices = [
            ("", "選んでください"),
            *((a.pk, a.name) for a in agencies),
        ]
        items = list(items)
        self.item_objects = {i.pk: i for i in items}
        self.fields["agenda_item"].choices = [
            ("", "（なし）"),
            *((i.pk, f"議題{i.order} {i.get_purpose_display()}") for i in items),
        ]
        self.fields["due_on"].widget.attrs["placeholder"] = "例：R8.12.20"

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "description": data["description"],
            "owner_agency": self.agency_objects[data["owner_agency"]],
            "owner_name": data["owner_name"],
            "due_on": data["due_on"],
            "agenda_item": self.item_objects.get(data["agenda_item"])
            if data["agenda_item"]
            else None,
        }


class ResourceGapForm(BootstrapForm):
    description = forms.CharField(
        label="不足している社会資源・仕組み",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "不足している社会資源・仕組みを入力してください。"},
    )
    area = forms.TypedChoiceField(
        label="圏域",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "圏域は選択肢から選んでください。"},
    )

    def __init__(self, *args, areas: Iterable = (), **kwargs):
        super().__init__(*args, **kwargs)
        areas = list(areas)
        self.area_objects = {a.pk: a for a in areas}
        self.fields["area"].choices = [("", "（指定しない）"), *((a.pk, a.name) for a in areas)]

    def chosen_area(self):
        pk = self.cleaned_data.get("area")
        return self.area_objects.get(pk) if pk else None
