"""Forms of the アウトリーチ screens: they parse input; :mod:`tsunagu.outreach.services`
decides (the same rules and messages as the API)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from tsunagu.common.forms import BootstrapForm, WarekiDateField

from .models import AgeBand, ClosureReason, ConsentMethod, ContactMethod, Source, Stage
from .services import PLAN_TEXT_MAX, SUMMARY_MAX

WAREKI_HELP = "和暦（令和8年12月6日、R8.12.6）・西暦のどちらでも入力できます。"


def _choice(label: str, choices, *, required: bool = True, blank: str = "選んでください"):
    return forms.ChoiceField(
        label=label,
        required=required,
        choices=[("", blank), *choices],
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


class RecordForm(_DatedForm):
    today_fields = ("began_on",)

    label = _text(
        "呼び名",
        60,
        required=True,
        help_text="本人が特定できるまでの仮の呼び名。例：北部 60代男性 A（氏名は書かない）",
    )
    source = _choice("情報の入口", Source.choices)
    began_on = _date("開始日")
    age_band = _choice("年代", AgeBand.choices, required=False, blank="不明")
    area = forms.TypedChoiceField(label="圏域", required=False, coerce=int, empty_value=None)
    address = _text("住所（分かれば）", 200)
    household_hint = _text("世帯について分かっていること", 300, help_text="例：80代の母と二人")
    known_facts = _text("分かっていること・心配なこと", SUMMARY_MAX, rows=5)
    informant_name = _text(
        "情報提供者の氏名",
        100,
        help_text="経過の記述とは分けて保存し、この対象の画面にだけ表示します。",
    )
    informant_contact = _text("情報提供者の連絡先", 100)
    assigned_to = forms.TypedChoiceField(
        label="担当職員", required=False, coerce=int, empty_value=None
    )
    is_urgent = forms.BooleanField(label="緊急（生命・安全にかかわる）", required=False)
    urgent_note = _text(
        "緊急対応の記録", 300, help_text="連絡した先（警察・救急・保健所など）と日時"
    )

    def __init__(self, *args, areas=(), workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "不明・未選択"), *((a.pk, a.name) for a in areas)]
        self.area_objects = {a.pk: a for a in areas}
        self.worker_objects = {u.pk: u for u in workers}
        self.fields["assigned_to"].choices = [
            ("", "未定"),
            *((u.pk, str(u)) for u in workers),
        ]
        self.fields["assigned_to"].error_messages["invalid_choice"] = (
            "担当職員は、この機関のアウトリーチ支援員から選んでください。"
        )

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["area"] = self.area_objects.get(data.get("area"))
        data["age_band"] = data.get("age_band") or AgeBand.UNKNOWN
        data["assigned_to"] = self.worker_objects.get(data.get("assigned_to"))
        return data


class RecordEditForm(RecordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("source", "began_on", "is_urgent", "urgent_note"):
            del self.fields[name]

    def service_arguments(self) -> dict:
        return super().service_arguments()


class ContactForm(_DatedForm):
    today_fields = ("occurred_on",)

    occurred_on = _date("実施日")
    method = _choice("方法", ContactMethod.choices)
    staff = _text("実施した職員", 100, required=True, help_text="複数で行ったときは全員の名前")
    summary = _text("内容・様子", SUMMARY_MAX, required=True, rows=6)
    reached_person = forms.BooleanField(
        label="本人に届いた・会えた",
        required=False,
        help_text="手紙やメールに返事があった、電話で話せた、など。訪問で会えたときは自動で記録します。",
    )
    next_action = _text("次の予定", 200, help_text="例：来週もう一度手紙を置く")
    next_action_on = WarekiDateField(label="次の予定日", required=False, help_text=WAREKI_HELP)


class StageForm(_DatedForm):
    today_fields = ("occurred_on",)

    stage = _choice("移る段階", Stage.choices)
    occurred_on = _date("日付")
    reason = _text("理由", 300, rows=2, help_text="段階を戻すときは必須です。")


class ConsentForm(_DatedForm):
    today_fields = ("consented_on",)

    consented_on = _date("利用申込（同意）の日")
    consent_method = _choice("同意の取り方", ConsentMethod.choices)
    note = _text("同意についての記録", 300, help_text="立会人、説明した内容など")


class UrgentForm(BootstrapForm):
    note = _text(
        "緊急対応の記録",
        300,
        required=True,
        rows=2,
        help_text="連絡した先（警察・救急・保健所など）と日時。例：12/6 14時 警察に相談",
    )


class PlanForm(BootstrapForm):
    approach = _text(
        "関わりの切口",
        PLAN_TEXT_MAX,
        required=True,
        rows=3,
        help_text="例：母への介護支援を入口に、本人の趣味（釣り）の話題から",
    )
    network = _text("本人を取り巻くネットワーク", PLAN_TEXT_MAX, rows=3)
    risks = _text("リスク", PLAN_TEXT_MAX, rows=3)
    emergency_route = _text("緊急時の対応（警察・医療との連携）", PLAN_TEXT_MAX, rows=3)
    goals = _text("当面の目標", PLAN_TEXT_MAX, rows=2)


class MeetingChoiceForm(BootstrapForm):
    """The meeting to discuss a plan at: only meetings of the kind the record's consent
    allows are offered; another meeting sent anyway is refused with the rule (``refusal``
    gives its message for a meeting id, or None when the meeting is not one the user sees)."""

    meeting = forms.IntegerField(
        label="協議する会議",
        widget=forms.Select,
        error_messages={"required": "会議を選んでください。", "invalid": "会議を選んでください。"},
    )

    def __init__(self, *args, meetings=(), refusal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting_objects = {m.pk: m for m in meetings}
        self.refusal = refusal
        self.fields["meeting"].widget.choices = [
            ("", "選んでください"),
            *((m.pk, f"{timezone.localtime(m.starts_at):%Y-%m-%d %H:%M} {m}") for m in meetings),
        ]

    def clean_meeting(self):
        pk = self.cleaned_data["meeting"]
        if pk not in self.meeting_objects:
            message = self.refusal(pk) if self.refusal else None
            raise forms.ValidationError(message or "会議を選択肢から選んでください。")
        return pk


class PersonLinkForm(BootstrapForm):
    q = forms.CharField(label="氏名・ふりがな", required=False, max_length=100)


class IdentifyRequestForm(BootstrapForm):
    note = _text(
        "事務局に伝えること",
        300,
        required=True,
        rows=3,
        help_text="氏名・生年月日・住所など、本人を特定する手がかり（この対象の経過に残ります）",
    )


class HandoverForm(BootstrapForm):
    to_agency = forms.TypedChoiceField(
        label="つなぎ先（多機関協働事業者）",
        coerce=int,
        error_messages={"required": "つなぎ先を選んでください。"},
    )
    reason = _text("つなぐ理由・依頼内容", 4000, required=True, rows=4)
    criterion_household = forms.BooleanField(
        label="① 世帯全体として複合的な課題を抱えている", required=False
    )
    criterion_gap = forms.BooleanField(
        label="② 制度の狭間にあり、担当する機関がない", required=False
    )
    criterion_new_resource = forms.BooleanField(
        label="③ 新たな社会資源や仕組みが必要", required=False
    )
    tried_with_agencies = _text("これまでに他機関と連携して試みたこと", 4000, required=True, rows=3)
    categories = forms.TypedMultipleChoiceField(
        label="相談内容",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "相談内容を1つ以上選んでください。"},
    )

    def __init__(self, *args, agencies=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agency_objects = {a.pk: a for a in agencies}
        self.category_objects = {c.pk: c for c in categories}
        self.fields["to_agency"].choices = [("", "選んでください")] + [
            (a.pk, a.name) for a in agencies
        ]
        self.fields["categories"].choices = [(c.pk, c.name) for c in categories]


class CloseForm(_DatedForm):
    today_fields = ("closed_on",)

    closed_on = _date("終了日")
    closure_reason = _choice("終了の理由", ClosureReason.choices)
    connected_agency = forms.TypedChoiceField(
        label="つながった機関", required=False, coerce=int, empty_value=None
    )
    connected_referral = forms.TypedChoiceField(
        label="つながったときのつなぎ",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="この機関から本人についてつないだもの。選ぶと、つながった機関はその送り先です。",
    )
    note = _text("終了についての記録", 300, rows=2, help_text="拒否・その他のときは必須です。")

    def __init__(self, *args, agencies=(), referrals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agency_objects = {a.pk: a for a in agencies}
        self.fields["connected_agency"].choices = [("", "選んでください")] + [
            (a.pk, a.name) for a in agencies
        ]
        self.referral_objects = {r.pk: r for r in referrals}
        self.fields["connected_referral"].choices = [("", "なし")] + [
            (r.pk, f"#{r.pk} {timezone.localtime(r.sent_at):%Y-%m-%d} {r.to_agency.name}")
            for r in referrals
        ]
        if not referrals:
            del self.fields["connected_referral"]


class ReopenForm(BootstrapForm):
    reason = _text("再開の理由", 300, required=True, rows=2)


class CaseloadFilterForm(BootstrapForm):
    q = forms.CharField(label="検索（呼び名・氏名・住所）", required=False, max_length=100)
    stage = _choice("段階", Stage.choices, required=False, blank="すべて")
    consent = _choice(
        "同意", [("before", "同意前"), ("after", "同意後")], required=False, blank="すべて"
    )
    state = forms.ChoiceField(
        label="状態",
        required=False,
        choices=[("open", "対応中"), ("closed", "終了"), ("all", "すべて")],
    )
    flag = _choice(
        "注意",
        [
            ("urgent", "緊急"),
            ("overdue", "予定日を過ぎた"),
            ("due_week", "1週間以内に予定・緊急"),
            ("silent", "長く接触なし"),
        ],
        required=False,
        blank="すべて",
    )
    assigned = forms.ChoiceField(label="担当", required=False)
    identified = _choice(
        "本人", [("no", "未特定"), ("yes", "特定済み")], required=False, blank="すべて"
    )
    area = forms.TypedChoiceField(label="圏域", required=False, coerce=int, empty_value=None)
    agency = forms.TypedChoiceField(label="実施機関", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, agencies=(), areas=(), workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "すべて"), *((a.pk, a.name) for a in agencies)]
        if not agencies:
            del self.fields["agency"]
        self.fields["area"].choices = [("", "すべて"), *((a.pk, a.name) for a in areas)]
        self.fields["assigned"].choices = [
            ("", "すべて"),
            ("mine", "自分の担当"),
            ("none", "担当なし"),
            *((str(u.pk), str(u)) for u in workers),
        ]
        self.fields["assigned"].error_messages["invalid_choice"] = (
            "担当を選択肢から選んでください。"
        )
