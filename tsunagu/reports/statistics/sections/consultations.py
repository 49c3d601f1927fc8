"""包括的相談支援: consultations received and the referral loop."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.models import Agency, Area
from tsunagu.consultations.models import (
    Channel,
    Consultation,
    ConsultationCategory,
    ConsulterType,
    IssueCategory,
    Outcome,
    Referral,
    ReferralEvent,
    ReferralKind,
    ReferralStatus,
)

from ..engine import (
    Crosstab,
    LocalDaysBetween,
    Scope,
    Table,
    days_rows,
    scoped,
)
from ..period import Period
from . import Section
from .persons import AGE_LABELS, SEX_LABELS, age_band_expression


def _list_link(**extra):
    def linker(start, end):
        query = {"date_from": start.isoformat(), "date_to": end.isoformat(), **extra}
        return f"{reverse('consultations:consultation_list')}?{urlencode(query)}"

    return linker


def consultations_in(scope: Scope):
    return scoped(Consultation.objects.all(), scope, agency=("agency_id",), area="agency__area_id")


def referrals_in(scope: Scope, kind: str):
    return scoped(
        Referral.objects.filter(kind=kind),
        scope,
        agency=("from_agency_id", "to_agency_id"),
        area="from_agency__area_id",
    )


def _agency_link(scope: Scope):
    return {"agency": scope.agency_id} if scope.agency_id else {}


def consultation_tables(period: Period, scope: Scope) -> list[Table]:
    qs = consultations_in(scope)
    extra = _agency_link(scope)
    # three scans of the period's consultations, one of their categories
    kinds = Crosstab(
        qs,
        "received_on",
        period,
        {"channel": "channel", "consulter_type": "consulter_type", "outcome": "outcome"},
    )
    places = Crosstab(qs, "received_on", period, {"agency": "agency_id", "area": "agency__area_id"})
    start = period.start
    persons = Crosstab(
        qs,
        "received_on",
        period,
        {"sex": "person__sex", "age": age_band_expression("person__birth_date", start)},
    )
    received = [
        kinds.row("新規相談（受付件数）", link=_list_link(**extra)),
        *kinds.rows("channel", labels=Channel.choices, indent=1),
    ]
    by_consulter = kinds.rows("consulter_type", labels=ConsulterType.choices)
    categories = list(
        IssueCategory.objects.order_by("sort_order", "name").values_list("pk", "name")
    )
    ticked = scoped(
        ConsultationCategory.objects.all(),
        scope,
        agency=("consultation__agency_id",),
        area="consultation__agency__area_id",
    )

    def category_link(pk):
        return _list_link(category=pk, **extra) if pk else None

    chosen = Crosstab(
        ticked,
        "consultation__received_on",
        period,
        {"category": "category_id", "primary": "is_primary"},
    )
    by_category = chosen.rows("category", labels=categories, link=category_link)
    main_category = chosen.only(lambda v: v["primary"]).rows(
        "category", labels=categories, keep_empty=False
    )
    for row in main_category:
        row.label = f"◎ {row.label}"
    by_age = persons.rows("age", labels=AGE_LABELS)
    by_sex = persons.rows("sex", labels=SEX_LABELS)
    agencies = Agency.objects.order_by("name").values_list("pk", "name")
    if scope.agency_id:
        agencies = agencies.filter(pk=scope.agency_id)
    by_agency = places.rows(
        "agency",
        labels=list(agencies),
        keep_empty=False,
        link=lambda pk: _list_link(agency=pk),
    )
    areas = Area.objects.order_by("sort_order", "name").values_list("pk", "name")
    by_area = places.rows("area", labels=list(areas), keep_empty=False)
    outcomes = kinds.rows("outcome", labels=Outcome.choices)
    return [
        Table(
            "consultations",
            "新規相談と相談経路",
            "相談受付の記録を受付日の月で数えます。本人・世帯の登録がない相談も含みます。",
            received,
        ),
        Table(
            "consultations_by_consulter",
            "相談者",
            "相談受付の記録を受付日の月で、相談者の種類ごとに数えます。",
            by_consulter,
        ),
        Table(
            "consultations_by_category",
            "相談の分類",
            "相談受付でチェックした分類ごとに数えます（一つの相談に複数の分類があれば、それぞれに"
            "数えます）。「◎」は最も困っていることとして選ばれた分類です（一つの相談に一つ）。",
            by_category + main_category,
        ),
        Table(
            "consultations_by_person",
            "本人の年齢・性別",
            "相談受付の記録を、本人の年齢（期間の初日の時点）と性別ごとに数えます。本人が"
            "登録されていない、または生年月日が不明の相談は「不明」です。",
            by_age + by_sex,
        ),
        Table(
            "consultations_by_agency",
            "受付機関・圏域",
            "相談受付の記録を、受け付けた機関とその機関の圏域ごとに数えます。",
            by_agency + by_area,
        ),
        Table(
            "consultations_by_outcome",
            "対応結果",
            "相談受付の記録を、受付時に記録した対応結果ごとに数えます。",
            outcomes,
        ),
    ]


NOUNS = {
    ReferralKind.STANDARD: "他機関へのつなぎ",
    ReferralKind.MULTI_AGENCY: "多機関協働へのつなぎ",
}


def referral_tables(period: Period, scope: Scope, kind: str = ReferralKind.STANDARD):
    noun = NOUNS[kind]
    qs = referrals_in(scope, kind)
    events = scoped(
        ReferralEvent.objects.filter(referral__kind=kind),
        scope,
        agency=("referral__from_agency_id", "referral__to_agency_id"),
        area="referral__from_agency__area_id",
    )
    now = timezone.now()
    late = Q(responded_at__gt=F("respond_by")) | Q(responded_at__isnull=True, respond_by__lt=now)
    sent = Crosstab(
        qs,
        "sent_at",
        period,
        {
            "to_agency": "to_agency_id",
            "late": ExpressionWrapper(late, output_field=BooleanField()),
        },
    )
    answers = Crosstab(
        events.filter(
            to_status__in=(
                ReferralStatus.ACCEPTED,
                ReferralStatus.RETURNED,
                ReferralStatus.COMPLETED,
            )
        ),
        "at",
        period,
        {"status": "to_status"},
    )
    rows = [
        sent.row("送付"),
        answers.row("受理", where=lambda v: v["status"] == ReferralStatus.ACCEPTED),
        answers.row("差戻し", where=lambda v: v["status"] == ReferralStatus.RETURNED),
        answers.row("完了", where=lambda v: v["status"] == ReferralStatus.COMPLETED),
        sent.row("回答期限を過ぎた（送付月）", where=lambda v: bool(v["late"])),
    ]
    accepted = Crosstab(
        events.filter(to_status=ReferralStatus.ACCEPTED),
        "at",
        period,
        {"days": LocalDaysBetween("referral__sent_at", "at")},
    )
    pairs = accepted.pairs("days")
    rows += days_rows(pairs, period, what="送付から受理まで")
    agencies = dict(Agency.objects.values_list("pk", "name"))
    to_agency = sent.rows("to_agency", labels=agencies, keep_empty=False)
    return [
        Table(
            "referrals",
            "つなぎ（紹介）",
            f"{noun}を、送付は送付日時、受理・差戻し・完了はその操作の日時の月で数えます"
            "（差戻し後の再送付は新しい送付です）。期限超過は、回答期限より後に回答した、または"
            "期限を過ぎて未回答のつなぎを送付月で数えます。受理までの日数は受理の月で、暦日で"
            "数えます。機関で絞ったときは、その機関が送った、または受けたつなぎです。",
            rows,
        ),
        Table(
            "referrals_by_agency",
            "つなぎ先の機関",
            f"{noun}を、送付日時の月で、つなぎ先の機関ごとに数えます。",
            to_agency,
        ),
    ]


def build(period: Period, scope: Scope) -> list[Table]:
    return consultation_tables(period, scope) + referral_tables(period, scope)


SECTION = Section("consultations", "包括的相談支援", "包括的相談支援", build)
