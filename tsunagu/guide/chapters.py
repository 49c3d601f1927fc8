"""The chapters of the user guide (docs/guide) and which one each role opens from 「ヘルプ」.

The guide is read from the source tree at run time: the server runs an editable install of the
source archive (docs/operations.md §5), so docs/guide is on disk next to the package, and the
browser tests that write its screenshots keep one copy of it, not two.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from tsunagu.accounts.models import Role


@dataclass(frozen=True)
class Chapter:
    slug: str  # the file name without ".md", and the URL /help/<slug>/
    label: str  # the role as the menu of the guide names it


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("01-madoguchi", "相談窓口"),
    Chapter("02-coordinator", "コーディネーター"),
    Chapter("03-jimukyoku", "事務局"),
    Chapter("04-outreach", "アウトリーチ"),
    Chapter("05-sanka", "参加支援"),
    Chapter("06-chiiki", "地域福祉コーディネーター"),
    Chapter("07-guest", "会議ゲスト"),
    Chapter("08-kanrisha", "管理者"),
)
BY_SLUG = {chapter.slug: chapter for chapter in CHAPTERS}

# The chapter 「ヘルプ」 opens for the acting role (the one place that maps them).
ROLE_CHAPTER: dict[str, str] = {
    Role.DESK_WORKER: "01-madoguchi",
    Role.COORDINATOR: "02-coordinator",
    Role.MUNICIPAL_OFFICER: "03-jimukyoku",
    Role.OUTREACH_WORKER: "04-outreach",
    Role.PARTICIPATION_WORKER: "05-sanka",
    Role.COMMUNITY_COORDINATOR: "06-chiiki",
    Role.MEETING_GUEST: "07-guest",
    Role.ADMIN: "08-kanrisha",
}

INDEX_FILE = "README.md"
IMAGE_DIR = "images"


def guide_dir() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "guide"


def chapter_for_role(role: str | None) -> Chapter | None:
    slug = ROLE_CHAPTER.get(role) if role else None
    return BY_SLUG.get(slug) if slug else None
