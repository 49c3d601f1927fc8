"""Forms of 多機関協働 cases: they parse input; the services decide what is allowed."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms

from tsunagu.cases.models import CaseStatus, ConsentMethod
from tsunagu.common.forms import BootstrapForm, WarekiDateField

# A note on a status move is kept with its audit record (200 characters at most).
NOTE_MAX = 200
NAME_MAX = 100


class CaseFilterForm(BootstrapForm):
    q = forms.CharField(label="キーワード", required=False, max_length=100)
    status = forms.ChoiceField(
        label="状態", required=False, choices=[("", "すべて"), *CaseStatus.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].error_messages["invalid_choice"] = "状態は選択肢から選んでください。"
        self.fields["q"].widget.attrs["placeholder"] = "本人の氏名・世帯名"
        self.fields["q"].widget.input_type = "search"


def _agency_choices(agencies: Iterable, team_ids: set[int]) -> list:
    """The case team's agencies first, then the other active agencies."""
    agencies = list(agencies)
    team = [(a.pk, a.name) for a in agencies if a.pk in team_ids]
    return team + [(a.pk, a.name) for a in agencies if a.pk not in team_ids]


def _person_choices(people: Iterable) -> list:
    return [(p.pk, p.name) for p in people]


class ConsentForm(BootstrapForm):
    """利用申込・本人同意 of one person: who agreed, when, how, and with whom information
    may be shared. Each adult consents for themselves; a minor through a guardian."""

    person = forms.TypedChoiceField(
        label="同意の対象となる方",
        coerce=int,
        required=False,  # the case's person unless another is chosen
        empty_value=None,
        help_text="同意は一人ずつ記録します。世帯の他の方の情報は、その方自身の同意がなければ"
        "共有されません。",
        error_messages={
            "required": "同意の対象となる方を選んでください。",
            "invalid_choice": "同意の対象となる方は選択肢から選んでください。",
        },
    )
    by_guardian = forms.BooleanField(
        label="未成年の方の保護者（法定代理人）による同意",
        required=False,
        help_text="未成年の方は保護者が同意します。その場合は「同意した方」に保護者の氏名を入力します。",
    )
    given_by = forms.CharField(
        label="同意した方",
        max_length=NAME_MAX,
        error_messages={
            "required": "同意した方の氏名を入力してください。",
            "max_length": f"同意した方の氏名は{NAME_MAX}文字以内で入力してください。",
        },
    )
    given_on = WarekiDateField(
        label="同意日", error_messages={"required": "同意日を入力してください。"}
    )
    method = forms.ChoiceField(
        label="方法",
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "同意の方法を選んでください。",
            "invalid_choice": "同意の方法を選択肢から選んでください。",
        },
    )
    witness = forms.CharField(
        label="立会人",
        required=False,
        max_length=NAME_MAX,
        help_text="口頭で同意を得た場合は必須です。",
        error_messages={"max_length": f"立会人は{NAME_MAX}文字以内で入力してください。"},
    )
    scope_agencies = forms.TypedMultipleChoiceField(
        label="情報を共有してよい機関",
        required=False,  # the service explains what is missing
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    share_in_conference = forms.BooleanField(
        label="会議（重層的支援会議・ケース会議など）での共有に同意", required=False
    )
    notes = forms.CharField(
        label="特記事項（共有しない情報など）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args,
        agencies: Iterable = (),
        team_ids: Iterable[int] = (),
        people: Iterable = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in people}
        self.fields["person"].choices = _person_choices(self.people.values())
        agencies = list(agencies)
        self.agency_objects = {a.pk: a for a in agencies}
        self.team_ids = set(team_ids)
        self.fields["scope_agencies"].choices = _agency_choices(agencies, self.team_ids)
        self.fields["scope_agencies"].error_messages["invalid_choice"] = (
            "情報を共有してよい機関は選択肢から選んでください。"
        )
        self.fields["given_on"].widget.attrs["placeholder"] = "例：R8.12.1"

    def scope_groups(self) -> list[tuple[str, list]]:
        """The checkboxes of the team's agencies, then of the others."""
        team, others = [], []
        for box in self["scope_agencies"]:
            (team if box.data["value"] in self.team_ids else others).append(box)
        return [
            (label, boxes)
            for label, boxes in (("支援チームの機関", team), ("その他の機関", others))
            if boxes
        ]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "person": self.people.get(data["person"]),
            "by_guardian": data["by_guardian"],
            "given_by": data["given_by"],
            "given_on": data["given_on"],
            "method": data["method"],
            "witness": data["witness"],
            "scope_agencies": [self.agency_objects[pk] for pk in data["scope_agencies"]],
            "share_in_conference": data["share_in_conference"],
            "notes": data["notes"],
        }


class WithdrawForm(BootstrapForm):
    person = forms.TypedChoiceField(
        label="同意を撤回する方",
        coerce=int,
        required=False,  # the case's person unless another is chosen
        empty_value=None,
        error_messages={
            "required": "同意を撤回する方を選んでください。",
            "invalid_choice": "同意を撤回する方は選択肢から選んでください。",
        },
    )
    given_by = forms.CharField(
        label="撤回を申し出た方",
        max_length=NAME_MAX,
        error_messages={
            "required": "撤回を申し出た方の氏名を入力してください。",
            "max_length": f"撤回を申し出た方の氏名は{NAME_MAX}文字以内で入力してください。",
        },
    )
    given_on = WarekiDateField(
        label="撤回日", error_messages={"required": "撤回日を入力してください。"}
    )
    notes = forms.CharField(
        label="特記事項", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, people: Iterable = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in people}
        self.fields["person"].choices = _person_choices(self.people.values())
        self.fields["given_on"].widget.attrs["placeholder"] = "例：R8.12.1"

    def chosen_person(self):
        return self.people.get(self.cleaned_data["person"])


class TransitionForm(BootstrapForm):
    """A coordinator's own move of a case; the service decides whether it is allowed."""

    to = forms.ChoiceField(
        label="進める先",
        choices=CaseStatus.choices,
        widget=forms.HiddenInput,
        error_messages={
            "required": "進める先の状態を指定してください。",
            "invalid_choice": "進める先の状態が正しくありません。",
        },
    )
    note = forms.CharField(
        label="理由・メモ",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": f"理由・メモは{NOTE_MAX}文字以内で入力してください。"},
    )
    without_consent = forms.BooleanField(label="同意のないまま支援会議で扱う", required=False)


class TeamAddForm(BootstrapForm):
    agency = forms.TypedChoiceField(
        label="追加する機関",
        coerce=int,
        empty_value=None,
        error_messages={
            "required": "追加する機関を選んでください。",
            "invalid_choice": "追加する機関を選択肢から選んでください。",
        },
    )
    role = forms.CharField(
        label="役割",
        required=False,
        max_length=NAME_MAX,
        error_messages={"max_length": f"役割は{NAME_MAX}文字以内で入力してください。"},
    )

    def __init__(self, *args, agencies: Iterable = (), **kwargs):
        super().__init__(*args, **kwargs)
        agencies = list(agencies)
        self.agency_objects = {a.pk: a for a in agencies}
        self.fields["agency"].choices = [
            ("", "選んでください"),
            *((a.pk, a.name) for a in agencies),
        ]
        self.fields["role"].widget.attrs["placeholder"] = "例：住まいの確保、就労の相談"

    def chosen_agency(self):
        return self.agency_objects[self.cleaned_data["agency"]]


class TeamLeaveForm(BootstrapForm):
    """An agency leaves the case team (its access through the team ends at once)."""

    member = forms.TypedChoiceField(
        label="離脱する機関",
        coerce=int,
        error_messages={
            "required": "離脱する機関を選んでください。",
            "invalid_choice": "この機関は現在の支援チームにいません。",
        },
    )
    reason = forms.CharField(
        label="離脱の理由",
        max_length=200,
        error_messages={
            "required": "チームを離れる理由を入力してください。",
            "max_length": "離脱の理由は200文字以内で入力してください。",
        },
    )
    left_on = WarekiDateField(label="離脱日", required=False)

    def __init__(self, *args, team: Iterable = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {m.pk: m for m in team}
        self.fields["member"].choices = [(m.pk, m.agency.name) for m in self.members.values()]

    def clean_member(self):
        return self.members[self.cleaned_data["member"]]
