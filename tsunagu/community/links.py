"""The community side's links on the pages of lower apps, registered through their named hooks
(:func:`register`, called from ``CommunityConfig.ready()``):

* a 不足する社会資源's page (``resources``) names the activity where it was noticed;
* a consultation's page (``consultations``) links the activities it was raised at.

Activities hold no personal data: anyone who reads the community side sees these links.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from tsunagu.common.wareki import format_wareki

from .models import Activity, ActivityConsultation, ActivityGap
from .permissions import reads_community


def _label(activity: Activity) -> str:
    day = format_wareki(timezone.localdate(activity.starts_at))
    return f"地域づくり活動：{activity.title}（{day}）"


def gap_activity_links(user, gap) -> list[tuple[str, str]]:
    """The activity where ``gap`` was noticed (the register's page of the gap)."""
    if not reads_community(user):
        return []
    link = ActivityGap.objects.select_related("activity").filter(gap=gap).first()
    if link is None:
        return []
    activity = link.activity
    return [(_label(activity), reverse("community:activity_detail", args=[activity.pk]))]


def consultation_activity_links(user, *, consultation=None, referral=None) -> list[tuple[str, str]]:
    """The activities a consultation was raised at (the consultation's page)."""
    if consultation is None or not reads_community(user):
        return []
    ids = ActivityConsultation.objects.filter(consultation=consultation).values("activity_id")
    return [
        (_label(a), reverse("community:activity_detail", args=[a.pk]))
        for a in Activity.objects.filter(pk__in=ids).order_by("starts_at", "pk")
    ]


def register() -> None:
    from tsunagu.consultations.hooks import register_related_records
    from tsunagu.resources.hooks import register_gap_links

    register_gap_links(gap_activity_links)
    register_related_records(consultation_activity_links)
