"""Forms of the 社会資源 screens: they parse input; :mod:`tsunagu.resources.services` decides
(the same rules and messages as the API)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from tsunagu.common.forms import BootstrapForm, WarekiDateField

from .models import Frequency, Organization, ResourceStatus, Target
from .selectors import WEEKDAY_CHOICES
from .services import TEXT_MAX, ScheduleIn

WAREKI_HELP = "和暦（令和8年12月6日、R8.12.6）・西暦のどちらでも入力できます。"
WEEK_CHOICES = [(n, f"第{n}") for n in range(1, 6)]
ALL_STATUSES = "all"


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


def _pick(label: str, *, required: bool = False):
    """A choice among database rows (kinds, areas, organisations), by id."""
    return forms.TypedChoiceField(
        label=label,
        required=required,
        coerce=int,
        empty_value=None,
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


def _time(label: str, *, required: bool = False):
    return forms.TimeField(
        label=label,
        required=required,
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": f"{label}を入力してください。",
            "invalid": f"{label}は 10:30 のように入力してください。",
        },
    )


def _count(label: str, help_text: str = ""):
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=100000,
        help_text=help_text,
        error_messages={
            "invalid": f"{label}は0以上の整数で入力してください。",
            "min_value": f"{label}は0以上の整数で入力してください。",
            "max_value": f"{label}は100000以下で入力してください。",
        },
    )


def _date(label: str, *, required: bool = True):
    return WarekiDateField(
        label=label,
        required=required,
        help_text=WAREKI_HELP,
        error_messages={"required": f"{label}を入力してください。"},
    )


def area_choices(areas) -> list[tuple[int, str]]:
    """The areas as the hierarchy reads (市全域 > 日常生活圏域 > 地区), indented by depth."""
    by_parent: dict[int | None, list] = {}
    for area in areas:
        by_parent.setdefault(area.parent_id, []).append(area)
    known = {a.pk for a in areas}
    out: list[tuple[int, str]] = []

    def walk(parent, depth):
        for area in by_parent.get(parent, []):
            out.append((area.pk, "\u3000" * depth + area.name))
            walk(area.pk, depth + 1)

    walk(None, 0)
    for parent, children in by_parent.items():  # areas whose parent is not listed
        if parent is not None and parent not in known:
            for area in children:
                out.append((area.pk, area.name))
                walk(area.pk, 1)
    return out


# ----------------------------------------------------------------------------------- search
#
# The search page is drawn on every change of a filter, so its widgets write their HTML
# directly (the same markup as Django's widget templates, without a template per option: the
# 圏域 list alone has one option per area).


def _attrs(attrs: dict) -> str:
    """`` name="value"`` for each attribute (``True``: the name alone; ``False``/``None``:
    left out), as ``django/forms/widgets/attrs.html`` writes them."""
    out = []
    for name, value in attrs.items():
        if value is True:
            out.append(f" {escape(name)}")
        elif value is not False and value is not None:
            out.append(format_html(' {}="{}"', name, value))
    return "".join(out)


class _DirectInput:
    """An ``<input>`` written without the template engine."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        return mark_safe(
            f'<input type="{escape(widget["type"])}" name="{escape(name)}"{shown}'
            f"{_attrs(widget['attrs'])}>"
        )


class DirectTextInput(_DirectInput, forms.TextInput):
    pass


class DirectTimeInput(_DirectInput, forms.TimeInput):
    pass


class DirectCheckboxInput(_DirectInput, forms.CheckboxInput):
    pass


class DirectFileInput(_DirectInput, forms.FileInput):
    pass


class DirectSelect(forms.Select):
    """A single ``<select>`` of flat choices written without the template engine."""

    def render(self, name, value, attrs=None, renderer=None):
        wanted = set(self.format_value(value))
        options, chosen = [], False
        for key, label in self.choices:
            text = "" if key is None else str(key)
            selected = not chosen and text in wanted
            chosen = chosen or selected
            options.append(
                format_html(
                    '\n  <option value="{}"{}>{}</option>',
                    text,
                    mark_safe(" selected") if selected else "",
                    label,
                )
            )
        attributes = _attrs(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape(name)}"{attributes}>{"".join(options)}\n</select>')


DIRECT_WIDGETS = {
    forms.TextInput: DirectTextInput,
    forms.TimeInput: DirectTimeInput,
    forms.CheckboxInput: DirectCheckboxInput,
    forms.Select: DirectSelect,
}


class SearchForm(BootstrapForm):
    q = forms.CharField(
        label="ことば（名称・団体・内容・所在地）",
        required=False,
        max_length=100,
        error_messages={"max_length": "ことばは100文字以内で入力してください。"},
    )
    kind = _pick("種類")
    area = _pick("圏域")
    weekday = _pick("曜日")
    at = _time("時刻")
    target = _choice("対象の世代", Target.choices, required=False, blank="すべて")
    free_only = forms.BooleanField(label="空きのあるものだけ", required=False)
    status = forms.ChoiceField(
        label="状態",
        required=False,
        choices=[*ResourceStatus.choices, (ALL_STATUSES, "すべて")],
    )
    stale_only = forms.BooleanField(label="再確認が必要なものだけ", required=False)

    def __init__(self, *args, kinds=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # each form has its own copies of the widgets
            field.widget.__class__ = DIRECT_WIDGETS[type(field.widget)]
        self.fields["kind"].choices = [("", "すべて"), *((k.pk, k.name) for k in kinds)]
        self.fields["area"].choices = [("", "すべて"), *area_choices(areas)]
        self.fields["weekday"].choices = [("", "いつでも"), *WEEKDAY_CHOICES]
        self.fields["at"].help_text = "曜日と合わせて「水曜 10:30に開いている」"

    def criteria_values(self) -> dict:
        """The search as :class:`~tsunagu.resources.selectors.ResourceSearch` takes it (an
        unreadable entry is left out, and the form shows its error)."""
        data = getattr(self, "cleaned_data", {})
        status = data.get("status") or ResourceStatus.OPEN
        return {
            "q": data.get("q") or "",
            "kind": data.get("kind"),
            "area": data.get("area"),
            "weekday": data.get("weekday"),
            "at": data.get("at"),
            "target": data.get("target") or "",
            "free_only": bool(data.get("free_only")),
            "status": "" if status == ALL_STATUSES else status,
            "stale_only": bool(data.get("stale_only")),
        }


# --------------------------------------------------------------------------------- resource


class ResourceForm(BootstrapForm):
    organization = _pick("提供団体（登録済み）")
    new_organization = _text(
        "提供団体（新しく登録）",
        Organization._meta.get_field("name").max_length,
        help_text="一覧にない団体は、ここに名前を入力すると登録されます。",
    )
    name = _text("名称", 200, required=True, help_text="例：八百屋まるやま 品出し体験")
    kind = _pick("種類", required=True)
    status = _choice("状態", ResourceStatus.choices)
    description = _text("内容", TEXT_MAX, rows=3)
    targets = forms.TypedMultipleChoiceField(
        label="対象の世代",
        required=False,
        choices=Target.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "対象の世代を選択肢から選んでください。"},
    )
    target_attributes = _text("対象（属性）", 200, help_text="例：障害のある人、ひきこもりの方")
    conditions = _text("利用の条件", TEXT_MAX, rows=2)
    area = _pick("圏域")
    postal_code = _text("郵便番号", 8, help_text="例：500-8701")
    address = _text("所在地", 200)
    capacity = _count("定員", "決まっていなければ空欄")
    places_free = _count("いまの空き", "0で「満員」。分からなければ空欄")
    cost = _text("費用", 100, help_text="例：無料、1回300円")
    contact_name = _text("連絡先の担当者", 100)
    phone = _text("電話番号", 30)
    email = forms.EmailField(
        label="メールアドレス",
        required=False,
        max_length=254,
        error_messages={"invalid": "メールアドレスの形が正しくありません。"},
    )
    accessibility = _text("バリアフリー・配慮", 300, help_text="例：車いす可、駐車場あり")
    confirmed_on = _date("情報確認日")

    #: the fields passed to the service as they are
    SERVICE_FIELDS = (
        "name",
        "status",
        "description",
        "target_attributes",
        "conditions",
        "postal_code",
        "address",
        "capacity",
        "places_free",
        "cost",
        "contact_name",
        "phone",
        "email",
        "accessibility",
        "confirmed_on",
    )

    def __init__(self, *args, kinds=(), areas=(), organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind_objects = {k.pk: k for k in kinds}
        self.area_objects = {a.pk: a for a in areas}
        self.organization_objects = {o.pk: o for o in organizations}
        self.fields["kind"].choices = [("", "選んでください"), *((k.pk, k.name) for k in kinds)]
        self.fields["area"].choices = [("", "未選択"), *area_choices(areas)]
        self.fields["organization"].choices = [
            ("", "選んでください"),
            *((o.pk, o.name) for o in organizations),
        ]
        if not self.is_bound:
            self.initial.setdefault("confirmed_on", timezone.localdate())
            self.initial.setdefault("status", ResourceStatus.OPEN)

    def clean(self):
        data = super().clean()
        if data.get("organization") and (data.get("new_organization") or "").strip():
            self.add_error(
                "new_organization",
                "提供団体は、一覧から選ぶか新しい名前を入力するかのどちらかにしてください。",
            )
        return data

    def service_arguments(self) -> dict:
        """Everything but the organisation (the view finds or registers it)."""
        data = self.cleaned_data
        values = {name: data.get(name) for name in self.SERVICE_FIELDS}
        for name, value in values.items():
            if value is None and name not in ("capacity", "places_free", "confirmed_on"):
                values[name] = ""
        values["kind"] = self.kind_objects.get(data.get("kind"))
        values["area"] = self.area_objects.get(data.get("area"))
        values["targets"] = list(data.get("targets") or [])
        return values

    @property
    def new_organization_name(self) -> str:
        return (self.cleaned_data.get("new_organization") or "").strip()

    @property
    def chosen_organization(self):
        return self.organization_objects.get(self.cleaned_data.get("organization"))


class ScheduleRowForm(BootstrapForm):
    """One row of when a resource is open; a row left empty is not saved."""

    freq = _choice("くり返し", Frequency.choices, required=False, blank="—")
    weekday = _pick("曜日")
    weeks = forms.TypedMultipleChoiceField(
        label="第n週",
        required=False,
        coerce=int,
        choices=WEEK_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "第n週は1〜5の中から選んでください。"},
    )
    opens_at = _time("開始")
    closes_at = _time("終了")
    note = _text("備考", 200, help_text="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weekday"].choices = [("", "—"), *WEEKDAY_CHOICES]
        self.fields["weeks"].widget.attrs["class"] = "form-check-input"
        if not self.is_bound:
            self.initial.setdefault("freq", Frequency.WEEKLY)

    @property
    def is_filled(self) -> bool:
        """Whether anything but the frequency (preset on blank rows) was entered."""
        data = getattr(self, "cleaned_data", None)
        if data is None:
            return True
        if data.get("DELETE"):
            return False
        return any(
            data.get(name) not in (None, "", [])
            for name in ("weekday", "weeks", "opens_at", "closes_at", "note")
        )

    def schedule_in(self) -> ScheduleIn:
        data = self.cleaned_data
        return ScheduleIn(
            freq=data.get("freq") or "",
            weekday=data.get("weekday"),
            opens_at=data.get("opens_at"),
            closes_at=data.get("closes_at"),
            weeks=tuple(data.get("weeks") or ()),
            note=data.get("note") or "",
        )


class BaseScheduleFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "削除"
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def filled(self) -> list[tuple[int, ScheduleRowForm]]:
        """The rows to save, each with its number on the screen (1-based)."""
        return [(n, form) for n, form in enumerate(self.forms, start=1) if form.is_filled]

    def schedules(self) -> list[ScheduleIn]:
        return [form.schedule_in() for _, form in self.filled()]

    def add_service_errors(self, errors: dict[str, list[str]]) -> list[str]:
        """Put the service's ``schedules.<n>`` errors (n counts the rows saved) on the rows
        of the screen; the messages, numbered as the screen shows the rows."""
        shown = []
        rows = self.filled()
        for key, messages in errors.items():
            if not key.startswith("schedules."):
                continue
            try:
                n = int(key.split(".", 1)[1])
                row, form = rows[n - 1]
            except (ValueError, IndexError):
                continue
            for message in messages:
                text = message.replace(f"{n}行目：", f"{row}行目：", 1)
                form.add_error(None, text)
                shown.append(text)
        return shown


ScheduleFormSet = forms.formset_factory(
    ScheduleRowForm, formset=BaseScheduleFormSet, extra=0, can_delete=True, max_num=30
)


def schedule_initial(schedules) -> list[dict]:
    return [
        {
            "freq": s.freq,
            "weekday": s.weekday,
            "weeks": list(s.weeks),
            "opens_at": s.opens_at,
            "closes_at": s.closes_at,
            "note": s.note,
        }
        for s in schedules
    ]


# ------------------------------------------------------------------------- host, exceptions


class HostForm(BootstrapForm):
    contact_person = _text("受け入れ先の担当者", 100, required=True, help_text="例：店主 丸山さん")
    tasks = _text(
        "切り出せる業務・役割",
        TEXT_MAX,
        required=True,
        rows=3,
        help_text="例：品出し、袋詰め、草取り",
    )
    conditions = _text("受け入れの条件", TEXT_MAX, rows=2, help_text="例：午前中、週1回から")
    concerns = _text("受け入れ先の心配ごと", TEXT_MAX, rows=2)
    assessment = _text(
        "受け入れ先のアセスメント",
        TEXT_MAX,
        rows=4,
        help_text="受け入れ先の考え、職場の雰囲気、配慮できること。マッチングの前に記録します。",
    )
    assessed_on = _date("アセスメントの日", required=False)


class ExceptionForm(BootstrapForm):
    date = _date("日付")
    is_closed = forms.TypedChoiceField(
        label="その日",
        choices=[("1", "休み"), ("0", "いつもと違う時間に開く")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
        error_messages={"required": "休みか、いつもと違う時間に開くかを選んでください。"},
    )
    opens_at = _time("開始時刻")
    closes_at = _time("終了時刻")
    note = _text("備考", 200, help_text="例：年末年始、祭りのため午後のみ")


# ------------------------------------------------------------------------------ HSDS import

HSDS_FILE_MAX = 20 * 1024 * 1024
HSDS_ACCEPT = ".json,.zip,application/json,application/zip"


class HsdsImportForm(BootstrapForm):
    """The directory from another system in HSDS 3.0: JSON tables or the CSV files in a zip
    (which of them is known by the file's content)."""

    file = forms.FileField(
        label="HSDS のファイル（JSON、または表ごとの CSV をまとめた zip）",
        help_text="この画面の「書き出す」と同じ形のファイル。CSV は UTF-8 か Shift_JIS（Excel の"
        "「CSV（コンマ区切り）」）で、1行目は見出しにしてください。",
        widget=DirectFileInput(attrs={"accept": HSDS_ACCEPT}),
        error_messages={
            "required": "取り込むファイルを選んでください。",
            "empty": "ファイルが空です。",
            "invalid": "ファイルを選び直してください。",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > HSDS_FILE_MAX:
            raise forms.ValidationError("ファイルは20MBまでにしてください。")
        return upload
