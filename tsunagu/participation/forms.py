"""Forms of the 参加支援 screens: they parse input; :mod:`tsunagu.participation.services`
decides (the same rules and messages as the API)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from tsunagu.common.forms import BootstrapForm, WarekiDateField
from tsunagu.common.wareki import format_wareki
from tsunagu.resources.gaps import DESCRIPTION_MAX as GAP_DESCRIPTION_MAX
from tsunagu.resources.models import Target

from .models import MatchStatus, Track
from .services import GAP_NOTE_MAX, TEXT_MAX

WAREKI_HELP = "和暦（令和8年12月6日、R8.12.6）・西暦のどちらでも入力できます。"


def _choice(label: str, choices, *, required: bool = True, blank: str = "選んでください"):
    return forms.ChoiceField(
        label=label,
        required=required,
        choices=[("", blank), *choices] if blank is not None else list(choices),
        error_messages={
            "required": f"{label}を選んでください。",
            "invalid_choice": f"{label}を選択肢から選んでください。",
        },
    )


def _text(label: str, max_length: int, *, required: bool = False, rows: int = 0, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(),
        error_messages={
            "required": f"{label}を入力してください。",
            "max_length": f"{label}は{max_length}文字以内で入力してください。",
        },
    )


def _date(label: str, *, required: bool = True):
    return WarekiDateField(
        label=label,
        required=required,
        help_text=WAREKI_HELP,
        error_messages={"required": f"{label}を入力してください。"},
    )


class _DatedForm(BootstrapForm):
    #: date fields filled with today when the form is first shown
    today_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            for name in self.today_fields:
                self.initial.setdefault(name, timezone.localdate())


class ListFilterForm(BootstrapForm):
    q = forms.CharField(label="氏名・ふりがな", required=False, max_length=100)
    state = forms.ChoiceField(
        label="状態",
        required=False,
        choices=[("open", "支援中"), ("closed", "終結"), ("all", "すべて")],
    )


class PersonSearchForm(BootstrapForm):
    q = forms.CharField(label="氏名・ふりがな", required=False, max_length=100)


class RecordForm(_DatedForm):
    today_fields = ("started_on",)

    case = forms.TypedChoiceField(
        label="多機関協働の事例",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "多機関協働の事例を選択肢から選んでください。"},
    )
    is_early = forms.BooleanField(
        label="支援決定前の関わりとして始める",
        required=False,
        help_text="重層的支援会議で参加支援が必要とされる前から関わるとき。"
        "参加開始には、後から事例の支援決定が必要です。",
    )
    outside_plan_reason = _text(
        "多機関協働のプラン外で行う理由",
        300,
        help_text="多機関協働の事例によらず参加支援だけを行うときに入力します。",
    )
    started_on = _date("開始日")
    goals = _text(
        "本人の目標（本人の言葉で）",
        TEXT_MAX,
        required=True,
        rows=3,
        help_text="例：「人の役に立つことを少しずつしたい」",
    )
    steps = _text("取り組むこと・役割分担", TEXT_MAX, rows=3)

    def __init__(self, *args, cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.case_objects = {c.pk: c for c in cases}
        self.fields["case"].choices = [("", "事例なし")] + [
            (c.pk, f"事例 #{c.pk}（{c.get_status_display()}・受付 {format_wareki(c.opened_on)}）")
            for c in cases
        ]


class RecordEditForm(BootstrapForm):
    goals = _text("本人の目標（本人の言葉で）", TEXT_MAX, required=True, rows=3)
    steps = _text("取り組むこと・役割分担", TEXT_MAX, rows=3)


class ResourceSearchForm(BootstrapForm):
    kind = forms.TypedChoiceField(label="種類", required=False, coerce=int, empty_value=None)
    area = forms.TypedChoiceField(label="圏域・地区", required=False, coerce=int, empty_value=None)
    q = forms.CharField(label="ことば", required=False, max_length=100)

    def __init__(self, *args, kinds=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "すべて")] + [(k.pk, k.name) for k in kinds]
        self.fields["area"].choices = [("", "すべて")] + [(a.pk, a.name) for a in areas]


class ProposeForm(_DatedForm):
    today_fields = ("proposed_on",)

    resource = forms.IntegerField(
        label="社会資源",
        widget=forms.HiddenInput,
        error_messages={
            "required": "社会資源を選んでください。",
            "invalid": "社会資源を選んでください。",
        },
    )
    proposed_on = _date("提案日")
    note = _text("メモ", TEXT_MAX, rows=3)


class MoveForm(_DatedForm):
    today_fields = ("occurred_on",)

    status = _choice("進める先", MatchStatus.choices)
    occurred_on = _date("日付")
    note = _text(
        "記録（終了・中止のときはその理由）",
        300,
        rows=2,
        help_text="終了・中止では理由が必要です。",
    )
    full_override_reason = _text(
        "満員での受け入れの理由",
        300,
        help_text="満員の社会資源で参加を始めるときに、受け入れ先と合意した理由を入力します。",
    )

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "選んでください")] + [
            (s.value, s.label) for s in MatchStatus if s in allowed
        ]


class FollowUpForm(_DatedForm):
    today_fields = ("occurred_on",)

    track = forms.ChoiceField(
        label="相手",
        choices=Track.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "相手（本人・受け入れ先）を選んでください。",
            "invalid_choice": "相手（本人・受け入れ先）を選んでください。",
        },
    )
    occurred_on = _date("実施日")
    note = _text("様子・話したこと", TEXT_MAX, required=True, rows=4)
    concern = forms.BooleanField(label="支援チームに伝えたい心配ごとがある", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # large toggle buttons, easy to tap on a tablet
        self.fields["track"].widget.attrs["class"] = "btn-check"


class CloseForm(_DatedForm):
    today_fields = ("closed_on",)

    closed_on = _date("終結日")
    person_view = _text(
        "本人の受け止め",
        TEXT_MAX,
        required=True,
        rows=3,
        help_text="終結について本人がどう受け止めているかを、本人の言葉で記録します。",
    )
    closure_note = _text("終結についての記録", 300)


class KeepInTouchForm(_DatedForm):
    today_fields = ("occurred_on",)

    occurred_on = _date("実施日")
    note = _text("様子", TEXT_MAX, required=True, rows=3)


class KeepInTouchEndForm(_DatedForm):
    today_fields = ("ended_on",)

    ended_on = _date("終了日")
    reason = _text("終える理由", 200, required=True)


def _pick(label: str):
    return forms.TypedChoiceField(
        label=label,
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": f"{label}を選択肢から選んでください。"},
    )


class GapNeedForm(BootstrapForm):
    """合う社会資源がない: choose a gap already in the register, or describe a new one."""

    gap = _pick("登録済みの不足する社会資源")
    description = _text("不足している社会資源・仕組み", GAP_DESCRIPTION_MAX, rows=3)
    kind = _pick("求められる資源の種類")
    targets = forms.MultipleChoiceField(
        label="対象の世代",
        required=False,
        choices=Target.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "対象の世代を選択肢から選んでください。"},
    )
    target_attributes = _text(
        "対象（属性）", 200, help_text="例：日中に外出が難しい若者、障害のある人"
    )
    area = _pick("圏域")
    note = _text(
        "合う資源がなかった事情",
        GAP_NOTE_MAX,
        rows=2,
        help_text="例：午後に通える就労体験先が圏域にない",
    )

    def __init__(self, *args, gaps=(), kinds=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.gap_objects = {g.pk: g for g in gaps}
        self.kind_objects = {k.pk: k for k in kinds}
        self.area_objects = {a.pk: a for a in areas}
        self.fields["gap"].choices = [("", "（新しく登録する）")] + [
            (g.pk, gap_label(g)) for g in gaps
        ]
        self.fields["kind"].choices = [("", "（指定しない）")] + [(k.pk, k.name) for k in kinds]
        self.fields["area"].choices = [("", "（指定しない）")] + [(a.pk, a.name) for a in areas]
        self.fields["targets"].widget.attrs["class"] = "form-check-input"

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "gap": self.gap_objects.get(data.get("gap")),
            "description": data.get("description", ""),
            "kind": self.kind_objects.get(data.get("kind")),
            "area": self.area_objects.get(data.get("area")),
            "targets": data.get("targets") or [],
            "target_attributes": data.get("target_attributes", ""),
            "note": data.get("note", ""),
        }


def gap_label(gap) -> str:
    parts = (gap.kind.name if gap.kind_id else "", gap.area.name if gap.area_id else "")
    where = "・".join(x for x in parts if x)
    text = gap.description if len(gap.description) <= 60 else gap.description[:59] + "…"
    return f"{text}（{gap.get_status_display()}{'・' + where if where else ''}）"


class GapNeedRemoveForm(BootstrapForm):
    reason = _text(
        "記録から外す理由",
        GAP_NOTE_MAX,
        required=True,
        help_text="例：合う社会資源が見つかった、本人の希望が変わった",
    )
