"""Forms of the 不足する社会資源 register: they parse input; :mod:`tsunagu.resources.gaps`
decides (the same rules and messages as the API)."""

from __future__ import annotations

from django import forms

from tsunagu.common.forms import BootstrapForm

from .forms import _choice, _pick, _text, area_choices
from .gaps import DESCRIPTION_MAX
from .models import GapOrigin, GapStatus, Target

ACTIVE = "active"
ALL = "all"


class GapSearchForm(BootstrapForm):
    q = forms.CharField(
        label="ことば",
        required=False,
        max_length=100,
        error_messages={"max_length": "ことばは100文字以内で入力してください。"},
    )
    status = forms.ChoiceField(
        label="状況",
        required=False,
        choices=[(ACTIVE, "開発済み以外"), *GapStatus.choices, (ALL, "すべて")],
    )
    area = _pick("圏域")
    kind = _pick("種類")
    origin = _choice("把握の経路", GapOrigin.choices, required=False, blank="すべて")

    def __init__(self, *args, kinds=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "すべて"), *((k.pk, k.name) for k in kinds)]
        self.fields["area"].choices = [("", "すべて"), *area_choices(areas)]

    def criteria_values(self) -> dict:
        data = getattr(self, "cleaned_data", {})
        status = data.get("status") or ACTIVE
        return {
            "q": data.get("q", ""),
            "status": "" if status == ALL else status,
            "area": data.get("area"),
            "kind": data.get("kind"),
            "origin": data.get("origin", ""),
        }


class GapForm(BootstrapForm):
    description = _text("不足している社会資源・仕組み", DESCRIPTION_MAX, required=True, rows=4)
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

    def __init__(self, *args, kinds=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind_objects = {k.pk: k for k in kinds}
        self.area_objects = {a.pk: a for a in areas}
        self.fields["kind"].choices = [("", "（指定しない）"), *((k.pk, k.name) for k in kinds)]
        self.fields["area"].choices = [("", "（指定しない）"), *area_choices(areas)]
        self.fields["targets"].widget.attrs["class"] = "form-check-input"

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "description": data["description"],
            "kind": self.kind_objects.get(data.get("kind")),
            "targets": data.get("targets") or [],
            "target_attributes": data.get("target_attributes", ""),
            "area": self.area_objects.get(data.get("area")),
        }


class GapMoveForm(BootstrapForm):
    status = _choice("新しい状況", GapStatus.choices)
    met_by = _pick("対応した社会資源")
    note = _text("経過", DESCRIPTION_MAX, rows=3, help_text="検討・開発の経過、前の段階に戻す理由")

    def __init__(self, *args, resources=(), current: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.resource_objects = {r.pk: r for r in resources}
        self.fields["status"].choices = [
            ("", "選んでください"),
            *((v, label) for v, label in GapStatus.choices if v != current),
        ]
        self.fields["met_by"].choices = [
            ("", "（開発済みにするときに選ぶ）"),
            *(
                (r.pk, f"{r.name}（{r.kind.name}{'・' + r.area.name if r.area_id else ''}）")
                for r in resources
            ),
        ]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "status": data["status"],
            "met_by": self.resource_objects.get(data.get("met_by")),
            "note": data.get("note", ""),
        }
