"""Forms of the yearly targets: they parse input; :mod:`tsunagu.community.services.targets`
decides (the same rules and messages as the API)."""

from __future__ import annotations

from django import forms

from tsunagu.common.fiscal import fiscal_year_label
from tsunagu.common.forms import BootstrapForm
from tsunagu.resources.forms import area_choices

from ..models import Measure
from ..services.targets import EVALUATION_MAX, GENERATIONS, VALUE_MAX

GENERATION_LABELS = dict(zip(GENERATIONS, ("子ども", "若者", "現役世代", "高齢者"), strict=True))


class BoardForm(BootstrapForm):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False)
    area = forms.TypedChoiceField(label="圏域", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, years=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, fiscal_year_label(y)) for y in years]
        self.fields["area"].choices = [("", "市全体"), *area_choices(areas)]


class TargetsForm(BootstrapForm):
    """One value per indicator; an empty box means no target."""

    def __init__(self, *args, indicators=(), initial_values=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        initial_values = initial_values or {}
        for indicator in self.indicators:
            name = f"target_{indicator.code}"
            wrong = f"「{indicator.name}」の目標値は0以上の整数で入力してください。"
            self.fields[name] = forms.IntegerField(
                label=f"{indicator.name}（{indicator.unit}）",
                required=False,
                min_value=0,
                max_value=VALUE_MAX,
                initial=initial_values.get(indicator.pk),
                error_messages={
                    "invalid": wrong,
                    "min_value": wrong,
                    "max_value": f"「{indicator.name}」の目標値は{VALUE_MAX:,}以下で"
                    "入力してください。",
                },
            )
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def values(self) -> dict:
        return {i: self.cleaned_data.get(f"target_{i.code}") for i in self.indicators}

    def service_aliases(self) -> dict[str, str]:
        return {f"target.{i.code}": f"target_{i.code}" for i in self.indicators}


class EvaluationForm(BootstrapForm):
    text = forms.CharField(
        label="評価と次年度への改善",
        max_length=EVALUATION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "評価を入力してください。",
            "max_length": f"評価は{EVALUATION_MAX}文字以内で入力してください。",
        },
    )


class IndicatorForm(BootstrapForm):
    code = forms.CharField(
        label="コード",
        max_length=40,
        help_text="半角英数字（例：salon_elderly）",
        error_messages={
            "required": "コードを入力してください。",
            "max_length": "コードは40文字以内で入力してください。",
        },
    )
    name = forms.CharField(
        label="指標",
        max_length=100,
        error_messages={
            "required": "指標の名前を入力してください。",
            "max_length": "指標の名前は100文字以内で入力してください。",
        },
    )
    measure = forms.ChoiceField(
        label="数えるもの",
        choices=[("", "選んでください"), *Measure.choices],
        error_messages={
            "required": "数えるものを選んでください。",
            "invalid_choice": "数えるものを選択肢から選んでください。",
        },
    )
    activity_kind = forms.TypedChoiceField(
        label="活動の種類（絞り込み）", coerce=int, required=False, empty_value=None
    )
    attribute = forms.TypedChoiceField(
        label="参加者の属性（属性別の参加者数のとき）", coerce=int, required=False, empty_value=None
    )
    generation = forms.ChoiceField(
        label="世代（参加者数の絞り込み）",
        required=False,
        choices=[("", "（すべての世代）"), *GENERATION_LABELS.items()],
    )
    unit = forms.CharField(label="単位", max_length=10, initial="件")
    sort_order = forms.IntegerField(label="表示順", min_value=0, initial=100)
    is_active = forms.BooleanField(label="使う（目標の画面に出す）", required=False, initial=True)

    def __init__(self, *args, kinds=(), attributes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind_objects = {k.pk: k for k in kinds}
        self.attribute_objects = {a.pk: a for a in attributes}
        self.fields["activity_kind"].choices = [
            ("", "（すべての種類）"),
            *((k.pk, k.name) for k in kinds),
        ]
        self.fields["attribute"].choices = [("", "（なし）"), *((a.pk, a.name) for a in attributes)]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "code": data["code"],
            "name": data["name"],
            "measure": data["measure"],
            "activity_kind": self.kind_objects.get(data.get("activity_kind")),
            "attribute": self.attribute_objects.get(data.get("attribute")),
            "generation": data.get("generation") or "",
            "unit": data.get("unit") or "件",
            "sort_order": data.get("sort_order") or 0,
            "is_active": bool(data.get("is_active")),
        }
