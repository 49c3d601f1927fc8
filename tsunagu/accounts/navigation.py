"""The navigation bar: each entry is shown only to users holding its permission."""

from __future__ import annotations

from dataclasses import dataclass

import rules

from tsunagu.accounts.acting import acting


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None  # None: every signed-in user with a membership
    section: str  # prefix of the request path that marks the entry active


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("ダッシュボード", "dashboard", None, "/"),
    NavItem("本人・世帯", "people:person_list", "people.use", "/persons/"),
    NavItem("相談受付", "consultations:consultation_list", "consultations.use", "/consultations/"),
    NavItem("つなぎ", "consultations:referral_list", "consultations.use", "/referrals/"),
    NavItem("多機関協働", "cases:case_list", "cases.use", "/cases/"),
    NavItem("アウトリーチ", "outreach:caseload", "outreach.use", "/outreach/"),
    NavItem("参加支援", "participation:record_list", "participation.use", "/participation/"),
    NavItem("社会資源", "resources:search", "resources.view", "/resources/"),
    NavItem("地域づくり・見守り", "community:home", "community.view", "/community/"),
    NavItem("会議", "meetings:meeting_list", "meetings.use", "/meetings/"),
    NavItem("統計", "reports:statistics", "reports.view", "/reports/"),
    NavItem("名寄せ", "linkage:review_list", "linkage.review", "/linkage/"),
    NavItem("支援関係機関", "accounts:agency_list", "accounts.view_directory", "/agencies/"),
    NavItem("監査ログ", "audit:event_list", "audit.view_log", "/audit/"),
    NavItem("システム管理", "admin:index", "accounts.use_admin_site", "/admin/"),
)


def items_for(user) -> list[NavItem]:
    if not (user and user.is_authenticated):
        return []
    if not acting(user):
        return []
    return [
        item for item in NAV_ITEMS if item.permission is None or _allowed(user, item.permission)
    ]


def _allowed(user, permission: str) -> bool:
    """Every entry's permission is a rule (``rules.add_perm``): asked of the rules alone, as
    ``user.has_perm`` would answer it, without the model backend's two queries of Django
    permission rows that none of these permissions has."""
    return (user.is_active and user.is_superuser) or rules.has_perm(permission, user)
