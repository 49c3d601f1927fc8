"""Forms of 相談受付 and つなぎ: they parse input; the services decide what is allowed."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms

from tsunagu.common.forms import BootstrapForm, WarekiDateField

from .models import Channel, ConsulterType, Outcome, ReferralOutcome, ReferralStatus

# Notes written on a referral's move are kept with its audit record (200 characters at most).
NOTE_MAX = 200


def _date_range_error(form: forms.Form, start_field: str, end_field: str) -> None:
    start, end = form.cleaned_data.get(start_field), form.cleaned_data.get(end_field)
    if start and end and start > end:
        form.add_error(
            end_field, "受付日（まで）は受付日（から）と同じかそれより後の日付にしてください。"
        )


class ConsultationFilterForm(BootstrapForm):
    q = forms.CharField(label="キーワード", required=False, max_length=100)
    agency = forms.TypedChoiceField(label="受付機関", required=False, coerce=int, empty_value=None)
    category = forms.TypedChoiceField(
        label="相談内容", required=False, coerce=int, empty_value=None
    )
    date_from = WarekiDateField(label="受付日（から）", required=False)
    date_to = WarekiDateField(label="受付日（まで）", required=False)
    outcome = forms.ChoiceField(
        label="対応結果", required=False, choices=[("", "すべて"), *Outcome.choices]
    )

    def __init__(self, *args, agencies: Iterable = (), categories: Iterable = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "すべての機関"), *((a.pk, a.name) for a in agencies)]
        self.fields["category"].choices = [("", "すべて"), *((c.pk, c.name) for c in categories)]
        for name in ("agency", "category"):
            self.fields[name].error_messages["invalid_choice"] = "選択肢から選んでください。"
        self.fields["q"].widget.attrs["placeholder"] = "概要・相談者・本人・世帯"
        self.fields["q"].widget.input_type = "search"
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs["placeholder"] = "例：R8.4.1"

    def clean(self):
        cleaned = super().clean()
        _date_range_error(self, "date_from", "date_to")
        return cleaned


CONSENT_CHOICES = [("yes", "同意あり"), ("no", "同意なし")]


class ConsultationForm(BootstrapForm):
    """相談受付票: the fields of the standard 申込票."""

    received_on = WarekiDateField(
        label="受付日", error_messages={"required": "受付日を入力してください。"}
    )
    channel = forms.ChoiceField(
        label="相談経路",
        choices=Channel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "相談経路を選んでください。"},
    )
    consulter_type = forms.ChoiceField(
        label="相談者",
        choices=ConsulterType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "相談者を選んでください。"},
    )
    consulter_name = forms.CharField(label="相談者氏名", required=False, max_length=100)
    consulter_relation = forms.CharField(label="本人との関係", required=False, max_length=100)
    categories = forms.TypedMultipleChoiceField(
        label="相談内容",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "相談内容を1つ以上選んでください。"},
    )
    primary_category = forms.TypedChoiceField(
        label="最も困っていること（◎）",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    summary = forms.CharField(
        label="相談内容（概要）",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "相談内容（概要）を入力してください。"},
    )
    consent_to_share = forms.ChoiceField(
        label="関係機関との情報共有への同意",
        choices=CONSENT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "情報共有への同意の有無（同意あり／同意なし）を選んでください。"
        },
    )
    outcome = forms.ChoiceField(
        label="対応結果",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "対応結果を選んでください。"},
    )

    def __init__(self, *args, categories: Iterable = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.category_objects = {c.pk: c for c in categories}
        choices = [(c.pk, c.name) for c in self.category_objects.values()]
        self.fields["categories"].choices = choices
        self.fields["primary_category"].choices = choices
        for name in ("categories", "primary_category", "channel", "consulter_type", "outcome"):
            self.fields[name].error_messages["invalid_choice"] = "選択肢から選んでください。"
        self.fields["consulter_name"].widget.attrs["placeholder"] = "本人の場合は空欄で構いません"
        self.fields["consulter_relation"].widget.attrs["placeholder"] = "例：長男、近所の方"

    def clean(self):
        cleaned = super().clean()
        chosen, primary = cleaned.get("categories") or [], cleaned.get("primary_category")
        if primary is not None and "categories" in cleaned and primary not in chosen:
            self.add_error(
                "primary_category",
                "「最も困っていること（◎）」は選んだ相談内容の中から選んでください。",
            )
        return cleaned

    def category_rows(self):
        """Each category's checkbox with its ◎ radio, side by side."""
        return list(zip(self["categories"], self["primary_category"], strict=True))

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        primary = data.get("primary_category")
        return {
            "received_on": data["received_on"],
            "channel": data["channel"],
            "consulter_type": data["consulter_type"],
            "consulter_name": data["consulter_name"].strip(),
            "consulter_relation": data["consulter_relation"].strip(),
            "summary": data["summary"],
            "consent_to_share": data["consent_to_share"] == "yes",
            "outcome": data["outcome"],
            "categories": [self.category_objects[pk] for pk in data["categories"]],
            "primary_category": self.category_objects.get(primary) if primary else None,
        }

    @classmethod
    def initial_from(cls, consultation) -> dict:
        links = list(consultation.category_links.all())
        primary = next((link.category_id for link in links if link.is_primary), None)
        return {
            "received_on": consultation.received_on,
            "channel": consultation.channel,
            "consulter_type": consultation.consulter_type,
            "consulter_name": consultation.consulter_name,
            "consulter_relation": consultation.consulter_relation,
            "categories": [link.category_id for link in links],
            "primary_category": primary,
            "summary": consultation.summary,
            "consent_to_share": "yes" if consultation.consent_to_share else "no",
            "outcome": consultation.outcome,
        }


def agency_choices(suggested: Iterable, others: Iterable) -> list:
    """``<optgroup>`` choices: the help-desk suggestions first as 「おすすめ」."""
    suggested = list(suggested)
    suggested_ids = {a.pk for a in suggested}
    rest = [(a.pk, a.name) for a in others if a.pk not in suggested_ids]
    choices: list = [("", "選んでください")]
    if suggested:
        choices.append(("おすすめ（ヘルプデスク）", [(a.pk, a.name) for a in suggested]))
        if rest:
            choices.append(("その他の機関", rest))
    else:
        choices.extend(rest)
    return choices


class AgencyChoiceMixin:
    """A ``to_agency`` select whose cleaned value is the Agency itself."""

    agency_field = "to_agency"

    def set_agencies(self, suggested: Iterable, others: Iterable) -> None:
        suggested, others = list(suggested), list(others)
        self.agency_objects = {a.pk: a for a in [*suggested, *others]}
        field = self.fields[self.agency_field]
        field.choices = agency_choices(suggested, others)
        field.error_messages["invalid_choice"] = "選択肢の中から機関を選んでください。"

    def agency(self, pk):
        return self.agency_objects.get(pk) if pk else None


class ReferralForm(AgencyChoiceMixin, BootstrapForm):
    """つなぎ（他機関へ）: where to, about whom, and why."""

    to_agency = forms.TypedChoiceField(
        label="つなぎ先",
        coerce=int,
        empty_value=None,
        error_messages={"required": "つなぎ先の機関を選んでください。"},
    )
    target = forms.ChoiceField(
        label="つなぐ対象",
        widget=forms.RadioSelect,
        error_messages={"required": "つなぐ対象（本人・世帯）を選んでください。"},
    )
    reason = forms.CharField(
        label="つなぐ理由・依頼内容",
        required=False,  # the service names the missing reason, with the other problems
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, targets: Iterable = (), suggested=(), agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = {
            key: (label, person, household) for key, label, person, household in targets
        }
        self.fields["target"].choices = [
            (key, label) for key, (label, _, _) in self.targets.items()
        ]
        self.fields["target"].error_messages["invalid_choice"] = (
            "つなぐ対象を選択肢から選んでください。"
        )
        self.set_agencies(suggested, agencies)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        _, person, household = self.targets[data["target"]]
        return {
            "to_agency": self.agency(data["to_agency"]),
            "person": person,
            "household": household,
            "reason": data["reason"],
        }


CRITERIA_FIELDS = ("criterion_household", "criterion_gap", "criterion_new_resource")


class MultiAgencyReferralForm(ReferralForm):
    """多機関協働へのつなぎ: the eligibility check of the municipality (①②③ and what was tried)."""

    criteria = forms.MultipleChoiceField(
        label="多機関協働へつなぐ基準（当てはまるものすべて）",
        required=False,  # the service explains what is missing
        widget=forms.CheckboxSelectMultiple,
    )
    tried_with_agencies = forms.CharField(
        label="これまでに他機関と連携して試みたこと",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    is_urgent = forms.BooleanField(label="緊急性あり", required=False)

    field_order = ["to_agency", "target", "criteria", "tried_with_agencies", "is_urgent", "reason"]

    def __init__(self, *args, criteria_texts=None, **kwargs):
        super().__init__(*args, **kwargs)
        texts = criteria_texts
        self.fields["criteria"].choices = [
            ("criterion_household", f"① {texts.household_text}" if texts else "①"),
            ("criterion_gap", f"② {texts.gap_text}" if texts else "②"),
            ("criterion_new_resource", f"③ {texts.new_resource_text}" if texts else "③"),
        ]
        self.fields["criteria"].error_messages["invalid_choice"] = "基準は①②③から選んでください。"

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        chosen = set(data.get("criteria") or [])
        return {
            **super().service_arguments(),
            **{name: name in chosen for name in CRITERIA_FIELDS},
            "tried_with_agencies": data["tried_with_agencies"],
            "is_urgent": data["is_urgent"],
        }


class ReturnForm(BootstrapForm):
    reason = forms.CharField(
        label="差し戻す理由",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "差し戻す理由を入力してください。",
            "max_length": f"差し戻す理由は{NOTE_MAX}文字以内で入力してください。",
        },
    )


class NoteForm(BootstrapForm):
    note = forms.CharField(
        label="メモ",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": f"メモは{NOTE_MAX}文字以内で入力してください。"},
    )


class CompleteForm(AgencyChoiceMixin, BootstrapForm):
    agency_field = "rerefer_to"

    outcome = forms.ChoiceField(
        label="結果",
        choices=[("", "選んでください"), *ReferralOutcome.choices],
        error_messages={"required": "結果を選んでください。"},
    )
    note = forms.CharField(
        label="結果の補足",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": f"結果の補足は{NOTE_MAX}文字以内で入力してください。"},
    )
    rerefer_to = forms.TypedChoiceField(
        label="再紹介先", required=False, coerce=int, empty_value=None
    )
    rerefer_reason = forms.CharField(
        label="再紹介の理由・依頼内容", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].error_messages["invalid_choice"] = "結果を選択肢から選んでください。"
        self.set_agencies((), agencies)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        rereferred = data["outcome"] == ReferralOutcome.REREFERRED
        return {
            "outcome": data["outcome"],
            "note": data["note"].strip(),
            "rerefer_to": self.agency(data["rerefer_to"]) if rereferred else None,
            "rerefer_reason": data["rerefer_reason"] if rereferred else "",
        }


class ResendForm(AgencyChoiceMixin, BootstrapForm):
    to_agency = forms.TypedChoiceField(
        label="再送先",
        coerce=int,
        empty_value=None,
        error_messages={"required": "再送先の機関を選んでください。"},
    )
    reason = forms.CharField(
        label="つなぐ理由・依頼内容", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, suggested=(), agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_agencies(suggested, agencies)


class ReferralFilterForm(BootstrapForm):
    box = forms.ChoiceField(
        label="表示",
        required=False,
        choices=[
            ("inbox", "受信（自機関あて）"),
            ("outbox", "送信（自機関から）"),
            ("all", "すべて"),
        ],
    )
    status = forms.ChoiceField(
        label="状態", required=False, choices=[("", "すべて"), *ReferralStatus.choices]
    )
    overdue = forms.BooleanField(label="期限超過のみ", required=False)
