"""Forms of the activity and platform screens: they parse input; the services decide (the same
rules and messages as the API)."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils import timezone

from tsunagu.common.fiscal import fiscal_year, fiscal_year_label
from tsunagu.common.forms import BootstrapForm
from tsunagu.resources.forms import _count, _date, _pick, _text, _time, area_choices

from ..services.activities import GENERATIONS, TEXT_MAX, OrganiserIn
from ..services.platforms import TEXT_MAX as PLATFORM_TEXT_MAX

ORGANISER_ROWS = 3
YEARS_BACK = 6


def fiscal_year_choices() -> list[tuple[int, str]]:
    this = fiscal_year(timezone.localdate())
    return [(y, fiscal_year_label(y)) for y in range(this + 1, this - YEARS_BACK, -1)]


class ActivitySearchForm(BootstrapForm):
    q = _text("ことば", 100)
    kind = _pick("種類")
    area = _pick("圏域・社協支部")
    platform = _pick("プラットフォーム")
    fiscal_year = _pick("年度")
    date_from = _date("この日から", required=False)
    date_to = _date("この日まで", required=False)

    def __init__(self, *args, kinds=(), areas=(), platforms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "すべて"), *((k.pk, k.name) for k in kinds)]
        self.fields["area"].choices = [("", "すべて"), *area_choices(areas)]
        self.fields["platform"].choices = [("", "すべて"), *((p.pk, p.name) for p in platforms)]
        self.fields["fiscal_year"].choices = [("", "すべて"), *fiscal_year_choices()]
        for name in ("date_from", "date_to"):
            self.fields[name].help_text = ""

    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", "「この日まで」は「この日から」より後の日付にしてください。")
        return data

    def criteria_values(self) -> dict:
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q") or "",
            "kind": data.get("kind"),
            "area": data.get("area"),
            "platform": data.get("platform"),
            "fiscal_year": data.get("fiscal_year"),
            "date_from": data.get("date_from") if "date_to" not in self.errors else None,
            "date_to": data.get("date_to") if "date_to" not in self.errors else None,
        }


def _consultation_ids(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text or "")]


class ActivityForm(BootstrapForm):
    """One activity. Organisers come in numbered rows (``org1_name`` …); one count field per
    attribute (``attribute_<code>``); the place is a 社会資源 found by name (``place_find``
    with the 探す button) or free text."""

    kind = _pick("種類", required=True)
    title = _text("名称", 200, required=True, help_text="例：〇〇サロン 12月の会")
    day = _date("日付")
    start_time = _time("開始時刻")
    end_time = _time("終了時刻")
    place_find = _text("社会資源を名前で探す", 100)
    place = _pick("場所（社会資源）")
    place_text = _text("場所（社会資源にないとき・補足）", 200)
    area = _pick("圏域・社協支部", required=True)
    platform = _pick("プラットフォーム")
    coordinator = _pick("地域福祉コーディネーター")
    children = _count("子ども")
    youth = _count("若者")
    working_age = _count("現役世代")
    elderly = _count("高齢者")
    participants = _count("参加者数（合計）", help_text="空欄なら世代別の人数の合計です。")
    new_connections = _count("新たなつながり（人）")
    discussed = _text("話し合ったこと・内容", TEXT_MAX, rows=4)
    outcome = _text("生まれたこと・次の動き", TEXT_MAX, rows=3)
    consultations = _text(
        "活動から生まれた相談（相談受付の番号）",
        200,
        help_text="例：12, 15。あなたが見られる相談受付だけを結びつけられます。",
    )

    def __init__(
        self,
        *args,
        kinds=(),
        areas=(),
        platforms=(),
        coordinators=(),
        places=(),
        agencies=(),
        attributes=(),
        organiser_rows: int = ORGANISER_ROWS,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.kind_objects = {k.pk: k for k in kinds}
        self.area_objects = {a.pk: a for a in areas}
        self.platform_objects = {p.pk: p for p in platforms}
        self.coordinator_objects = {u.pk: u for u in coordinators}
        self.place_objects = {r.pk: r for r in places}
        self.agency_objects = {a.pk: a for a in agencies}
        self.attributes = list(attributes)
        self.fields["kind"].choices = [("", "選んでください"), *((k.pk, k.name) for k in kinds)]
        self.fields["area"].choices = [("", "選んでください"), *area_choices(areas)]
        self.fields["platform"].choices = [
            ("", "（なし）"),
            *((p.pk, p.name) for p in platforms),
        ]
        self.fields["coordinator"].choices = [
            ("", "（指定しない）"),
            *((u.pk, u.display_name or u.username) for u in coordinators),
        ]
        self.fields["place"].choices = [
            ("", "（社会資源から選ばない）"),
            *(
                (r.pk, f"{r.name}（{r.kind.name}{'・' + r.area.name if r.area_id else ''}）")
                for r in places
            ),
        ]
        agency_choices = [("", "（機関から選ばない）"), *((a.pk, a.name) for a in agencies)]
        self.organiser_rows = []
        for n in range(1, organiser_rows + 1):
            self.fields[f"org{n}_agency"] = _pick(f"主催・運営{n}：機関")
            self.fields[f"org{n}_agency"].choices = agency_choices
            self.fields[f"org{n}_agency"].widget.attrs["class"] = "form-select"
            self.fields[f"org{n}_name"] = _text(f"主催・運営{n}：団体名", 200)
            self.fields[f"org{n}_contact"] = _text(f"主催・運営{n}：連絡先", 100)
            for key in ("name", "contact"):
                self.fields[f"org{n}_{key}"].widget.attrs["class"] = "form-control"
            self.organiser_rows.append(n)
        for attribute in self.attributes:
            name = f"attribute_{attribute.code}"
            self.fields[name] = _count(attribute.name)
            self.fields[name].widget.attrs["class"] = "form-control"

    def generation_fields(self):
        return [self[key] for key, _ in GENERATIONS]

    def attribute_fields(self):
        return [self[f"attribute_{a.code}"] for a in self.attributes]

    def organiser_fields(self):
        return [
            (self[f"org{n}_agency"], self[f"org{n}_name"], self[f"org{n}_contact"])
            for n in self.organiser_rows
        ]

    def _moment(self, day: datetime.date | None, time: datetime.time | None):
        if day is None or time is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day, time))

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        day = data.get("day")
        organisers = []
        for n in self.organiser_rows:
            agency = self.agency_objects.get(data.get(f"org{n}_agency"))
            name, contact = data.get(f"org{n}_name", ""), data.get(f"org{n}_contact", "")
            if agency or name or contact:
                organisers.append(OrganiserIn(name=name, agency=agency, contact=contact))
        return {
            "kind": self.kind_objects.get(data.get("kind")),
            "title": data.get("title", ""),
            "starts_at": self._moment(day, data.get("start_time") or datetime.time(0)),
            "ends_at": self._moment(day, data.get("end_time")),
            "place": self.place_objects.get(data.get("place")),
            "place_text": data.get("place_text", ""),
            "area": self.area_objects.get(data.get("area")),
            "platform": self.platform_objects.get(data.get("platform")),
            "coordinator": self.coordinator_objects.get(data.get("coordinator")),
            **{key: data.get(key) or 0 for key, _ in GENERATIONS},
            "participants": data.get("participants"),
            "new_connections": data.get("new_connections") or 0,
            "discussed": data.get("discussed", ""),
            "outcome": data.get("outcome", ""),
            "organisers": organisers,
            "attributes": {
                a: data.get(f"attribute_{a.code}") or 0
                for a in self.attributes
                if data.get(f"attribute_{a.code}")
            },
            "consultations": _consultation_ids(data.get("consultations", "")),
        }


def activity_initial(activity, *, consultation_ids) -> dict:
    local = timezone.localtime(activity.starts_at)
    initial = {
        "kind": activity.kind_id,
        "title": activity.title,
        "day": local.date(),
        "start_time": local.time(),
        "end_time": timezone.localtime(activity.ends_at).time() if activity.ends_at else None,
        "place": activity.place_id,
        "place_text": activity.place_text,
        "area": activity.area_id,
        "platform": activity.platform_id,
        "coordinator": activity.coordinator_id,
        **{key: getattr(activity, key) for key, _ in GENERATIONS},
        "participants": activity.participants,
        "new_connections": activity.new_connections,
        "discussed": activity.discussed,
        "outcome": activity.outcome,
        "consultations": ", ".join(str(pk) for pk in consultation_ids),
    }
    for n, organiser in enumerate(activity.organisers.all(), start=1):
        initial[f"org{n}_agency"] = organiser.agency_id
        initial[f"org{n}_name"] = organiser.name
        initial[f"org{n}_contact"] = organiser.contact
    for count in activity.attribute_counts.all():
        initial[f"attribute_{count.attribute.code}"] = count.count
    return initial


# ------------------------------------------------------------------------------- platforms


class PlatformSearchForm(BootstrapForm):
    q = _text("ことば", 100)
    area = _pick("圏域・社協支部")
    ended = forms.BooleanField(label="終了したものも含める", required=False)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "すべて"), *area_choices(areas)]

    def criteria_values(self) -> dict:
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q") or "",
            "area": data.get("area"),
            "ended": bool(data.get("ended")),
        }


class PlatformForm(BootstrapForm):
    name = _text("名称", 200, required=True)
    area = _pick("圏域・社協支部")
    description = _text("目的・内容", PLATFORM_TEXT_MAX, rows=4)
    coordinator = _pick("地域福祉コーディネーター")
    started_on = _date("開始日")
    ended_on = _date("終了日", required=False)

    def __init__(self, *args, areas=(), coordinators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.area_objects = {a.pk: a for a in areas}
        self.coordinator_objects = {u.pk: u for u in coordinators}
        self.fields["area"].choices = [("", "（指定しない）"), *area_choices(areas)]
        self.fields["coordinator"].choices = [
            ("", "（指定しない）"),
            *((u.pk, u.display_name or u.username) for u in coordinators),
        ]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data.get("name", ""),
            "area": self.area_objects.get(data.get("area")),
            "description": data.get("description", ""),
            "coordinator": self.coordinator_objects.get(data.get("coordinator")),
            "started_on": data.get("started_on"),
            "ended_on": data.get("ended_on"),
        }


class MemberForm(BootstrapForm):
    agency = _pick("機関（システムの支援関係機関のとき）")
    name = _text("団体名", 200, help_text="機関を選んだときは空欄で構いません。")
    role = _text("役割", 100, help_text="例：事務局、会場提供")
    joined_on = _date("参加日")

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agency_objects = {a.pk: a for a in agencies}
        self.fields["agency"].choices = [("", "（選ばない）"), *((a.pk, a.name) for a in agencies)]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "agency": self.agency_objects.get(data.get("agency")),
            "name": data.get("name", ""),
            "role": data.get("role", ""),
            "joined_on": data.get("joined_on"),
        }


class LeaveForm(BootstrapForm):
    left_on = _date("退会日")
