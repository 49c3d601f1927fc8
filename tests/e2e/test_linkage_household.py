"""Browser journey: a father and his son of one name are never taken for one person.

山田 太郎 (born 1944) is registered by 地域包括支援センター中央 with his address and
landline. His son of the same name (born 1972), living with him, comes to the same desk: the
"is this person known?" check shows the father below 中 with the caution first, so the desk
registers the son as a new person. A linkage run later puts the pair in the review queue;
the officer sees the caution on the queue and on the pair, and records that they are two
persons.
"""

from __future__ import annotations

import datetime
import re

from playwright.sync_api import expect

from tsunagu.accounts.models import Agency, Membership
from tsunagu.linkage.models import CandidateStatus, MatchCandidate
from tsunagu.linkage.services.review import candidates_from_pairs
from tsunagu.people import services as people_services
from tsunagu.people.models import Person

from .test_intake_8050 import open_as  # noqa: F401  (open_as is a fixture)
from .test_known_check import DESK_AGENCY, type_identity

CAUTION = "同一世帯・同名・生年月日が異なる（親子・きょうだいなど別の方の可能性）"
HOME = {"address": "岐阜市今沢町1-2-3", "phone": "058-265-4141", "sex": "male"}


def register_taro(born: datetime.date) -> Person:
    """山田 太郎 born on ``born``, registered by the desk's centre at the family's home."""
    return people_services.person_create(
        by=Membership.objects.filter(user__username="desk").first().user,
        name="山田 太郎",
        name_kana="ヤマダ タロウ",
        birth_date=born,
        agency=Agency.objects.get(name=DESK_AGENCY),
        **HOME,
    )


def test_son_of_the_same_name_is_kept_apart_from_his_father(open_as, demo_city, screenshot_dir):
    father = register_taro(datetime.date(1944, 5, 1))

    # 1. The son at the desk: the father is shown, below 中, with the caution first.
    page = open_as("desk")
    page.goto(demo_city.url + "/persons/new/")
    page.wait_for_load_state()
    type_identity(page, "山田 太郎", "ヤマダ タロウ", "昭和47年5月1日")
    page.get_by_label("住所", exact=True).fill("岐阜市今沢町一丁目二番三号")
    with page.expect_response(
        lambda r: "/persons/known-check/" in r.url and "phone=0582654141" in r.url and r.ok
    ):
        page.get_by_label("電話", exact=True).fill("0582654141")
        page.get_by_label("電話", exact=True).press("Tab")
    match = page.get_by_test_id("known-match").filter(has_text="山田 太郎")
    expect(match).to_have_count(1)
    expect(match.get_by_test_id("known-caution")).to_have_text(f"⚠ {CAUTION}")
    expect(match.get_by_test_id("known-band")).to_have_text(re.compile(r"一致の可能性 低"))
    page.screenshot(path=screenshot_dir / "linkage-household-01-intake.png", full_page=True)

    # 2. Registered as a new person; a linkage run queues the pair above the threshold.
    son = register_taro(datetime.date(1972, 5, 1))
    result = candidates_from_pairs([(father.pk, son.pk, 0.97, ["name", "kana"])])
    assert (result.added, result.merged) == (1, 0)
    pair = MatchCandidate.objects.get(person_a=father, person_b=son)

    # 3. The officer sees the caution on the queue and on the pair, and keeps them apart.
    officer = open_as("officer")
    officer.goto(demo_city.url + "/linkage/review/")
    row = officer.get_by_test_id(f"candidate-row-{pair.pk}")
    expect(row.get_by_test_id("candidate-caution")).to_contain_text(CAUTION)
    officer.goto(demo_city.url + f"/linkage/review/{pair.pk}/")
    expect(officer.get_by_test_id("candidate-caution")).to_contain_text(CAUTION)
    expect(officer.get_by_test_id("candidate-caution")).to_contain_text("自動では統合しません")
    officer.screenshot(path=screenshot_dir / "linkage-household-02-review.png", full_page=True)
    reject = officer.get_by_test_id("reject-form")
    reject.get_by_label("別人と判断した理由").fill("父と長男（同名）。生年月日が異なる。")
    officer.get_by_test_id("reject-submit").click()
    expect(officer.get_by_role("alert").filter(has_text="別人と判断しました。")).to_be_visible()
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.REJECTED
    assert Person.objects.filter(pk__in=[father.pk, son.pk], is_archived=False).count() == 2
