"""Forms of the 見守り screens: they parse input; :mod:`tsunagu.community.services.watches`
decides (the same rules and messages as the API)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from tsunagu.common.forms import BootstrapForm, WarekiDateField

from ..models import CheckOutcome, Frequency, WatcherKind
from ..services.watches import NOTE_MAX, REASON_MAX

WAREKI_HELP = "和暦（令和8年12月6日、R8.12.6）・西暦のどちらでも入力できます。"


def choice(label: str, choices, *, required: bool = True, blank: str = "選んでください"):
    return forms.ChoiceField(
        label=label,
        required=required,
        choices=[("", blank), *choices],
        error_messages={
            "required": f"{label}を選んでください。",
            "invalid_choice": f"{label}を選択肢から選んでください。",
        },
    )


def text(label: str, max_length: int, *, required: bool = False, rows: int = 0, help_text=""):
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


def date(label: str, *, required: bool = True):
    return WarekiDateField(
        label=label,
        required=required,
        help_text=WAREKI_HELP,
        error_messages={"required": f"{label}を入力してください。"},
    )


def object_choice(label: str, objects, *, required: bool = True, blank: str = "選んでください"):
    """A choice among ``objects`` (by pk); the form keeps them in ``<name>_objects``."""
    field = forms.TypedChoiceField(
        label=label,
        required=required,
        coerce=int,
        empty_value=None,
        choices=[("", blank), *((o.pk, str(o)) for o in objects)],
        error_messages={
            "required": f"{label}を選んでください。",
            "invalid_choice": f"{label}を選択肢から選んでください。",
        },
    )
    field.objects = {o.pk: o for o in objects}
    return field


class _Dated(BootstrapForm):
    today_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            for name in self.today_fields:
                self.initial.setdefault(name, timezone.localdate())

    def picked(self, name):
        """The object chosen in an :func:`object_choice` field (or None)."""
        return self.fields[name].objects.get(self.cleaned_data.get(name))


class WatchForm(_Dated):
    today_fields = ("starts_on",)

    label = text(
        "呼び名",
        60,
        help_text="本人を特定していないときの仮の呼び名（例：3丁目 80代女性）。"
        "本人を選んだときは空欄で氏名になります。",
    )
    reason = text("見守りの理由", REASON_MAX, required=True, rows=3)
    frequency = choice("確認の頻度", Frequency.choices)
    starts_on = date("開始日")
    until_on = date("終了予定日", required=False)
    address = text("住所・目印", 200)

    def __init__(self, *args, areas=(), agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"] = object_choice("圏域", areas, required=False, blank="不明・未選択")
        if agencies:
            self.fields["agency"] = object_choice(
                "見守りを担う機関", agencies, required=False, blank="自分の機関"
            )
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")

    def service_arguments(self) -> dict:
        data = {
            k: self.cleaned_data[k]
            for k in ("label", "reason", "frequency", "starts_on", "until_on", "address")
        }
        data["area"] = self.picked("area")
        if "agency" in self.fields:
            data["agency"] = self.picked("agency")
        return data


class PersonSearchForm(BootstrapForm):
    q = forms.CharField(label="本人を探す（氏名・ふりがな）", required=False, max_length=100)


class WatcherForm(BootstrapForm):
    kind = choice("種類", WatcherKind.choices)
    name = text("氏名・名称", 100, help_text="機関を選んだときは空欄で機関名になります。")
    contact = text("連絡先", 100)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"] = object_choice(
            "支援関係機関（システムを使う機関のとき）", agencies, required=False, blank="なし"
        )
        self.fields["agency"].widget.attrs["class"] = "form-select"
        self.order_fields(["kind", "agency", "name", "contact"])


class CheckForm(_Dated):
    today_fields = ("checked_on",)

    checked_on = date("確認日")
    outcome = forms.ChoiceField(
        label="結果",
        choices=CheckOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "結果を選んでください。",
            "invalid_choice": "結果を選択肢から選んでください。",
        },
    )
    checked_by_name = text(
        "確認した人（一覧にないとき）", 100, help_text="見守る人から選ばないときは氏名を書きます。"
    )
    note = text("様子・記録", NOTE_MAX, rows=3)

    def __init__(self, *args, watchers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["watcher"] = object_choice(
            "確認した人・機関", watchers, required=False, blank="一覧にない（氏名を書く）"
        )
        self.fields["watcher"].widget.attrs["class"] = "form-select form-select-lg"
        self.order_fields(["checked_on", "outcome", "watcher", "checked_by_name", "note"])


class EscalateForm(BootstrapForm):
    to = forms.ChoiceField(
        label="つなぎ先",
        choices=[
            ("consultation", "相談窓口（相談として受け付け、その窓口につなぐ）"),
            ("outreach", "アウトリーチ（アウトリーチ対象を登録する）"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "つなぎ先を選んでください。"},
    )
    reason = text("つなぐ理由", REASON_MAX, required=True, rows=4)
    consent_to_share = forms.BooleanField(
        label="本人が関係機関での情報共有に同意している", required=False
    )

    def __init__(self, *args, agencies=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"] = object_choice(
            "相談窓口（機関）", agencies, required=False, blank="選んでください"
        )
        self.fields["agency"].widget.attrs["class"] = "form-select"
        self.fields["categories"] = forms.TypedMultipleChoiceField(
            label="相談内容",
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            choices=[(c.pk, c.name) for c in categories],
        )
        self.category_objects = {c.pk: c for c in categories}
        self.order_fields(["to", "agency", "categories", "reason", "consent_to_share"])
        # the page shows the chosen destination's fields (``data-show-for`` on the form)
        self.show_for = "to"
        for name in ("agency", "categories", "consent_to_share"):
            self.fields[name].outcomes = "consultation"

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "to": data["to"],
            "reason": data["reason"],
            "agency": self.fields["agency"].objects.get(data.get("agency")),
            "categories": [self.category_objects[c] for c in data.get("categories") or ()],
            "consent_to_share": data.get("consent_to_share", False),
        }


class EndForm(_Dated):
    today_fields = ("ended_on",)

    ended_on = date("終了日")
    end_reason = text("終了の理由", 300, required=True, rows=2, help_text="例：施設に入所、転居")


class WatchFilterForm(BootstrapForm):
    q = forms.CharField(label="検索（呼び名・氏名・圏域・住所）", required=False, max_length=100)
    state = forms.ChoiceField(
        label="状態",
        required=False,
        choices=[("open", "見守り中"), ("ended", "終了"), ("all", "すべて")],
    )
    mine = forms.BooleanField(label="自分の機関が担う見守りだけ", required=False)
    overdue = forms.BooleanField(label="確認日を過ぎたものだけ", required=False)
