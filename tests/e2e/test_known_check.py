"""Browser journey: the "is this person known?" check while a new person is typed in.

A desk worker of 地域包括支援センター中央 starts registering someone the centre already knows,
typing the name without a space, the reading in hiragana and the date of birth one day
off: the check offers the registered person with the band and the reasons, and
the address typed next adds its evidence. A worker of another agency typing the same
person is told only that another agency holds a record and whom to ask.
"""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from tsunagu.accounts.models import Agency
from tsunagu.common.wareki import format_wareki
from tsunagu.demo.services import DEMO_PASSWORD, PROGRAM_OFFICE
from tsunagu.linkage.address import normalize_address
from tsunagu.people.models import Person

DESK_AGENCY = "地域包括支援センター中央"
HIRAGANA = {chr(c): chr(c - 0x60) for c in range(0x30A1, 0x30F7)}


def known_person() -> Person:
    """A person the centre registered, with a date of birth whose day can lose one."""
    candidates = Person.objects.filter(
        registered_by_agency__name=DESK_AGENCY, birth_date__isnull=False, is_archived=False
    ).exclude(address="")
    for person in candidates.order_by("id"):
        day = person.birth_date.day
        if 2 <= day <= 28 and day % 10 != 0 and " " in person.name:
            return person
    raise AssertionError("the demo city has no person of the centre to look up")


def mistyped(birth: datetime.date) -> datetime.date:
    """The day one lower (12 → 11): a slip of one day."""
    return birth.replace(day=birth.day - 1)


def type_identity(page: Page, name: str, kana: str, birth: str) -> None:
    page.get_by_label("氏名", exact=False).first.fill(name)
    page.get_by_label("フリガナ", exact=False).first.fill(kana)
    with page.expect_response(lambda r: "/persons/known-check/" in r.url and r.ok):
        page.get_by_label("生年月日", exact=False).first.fill(birth)
        page.get_by_label("生年月日", exact=False).first.press("Tab")


@pytest.fixture
def person(demo_city) -> Person:
    return known_person()


def test_desk_worker_is_offered_the_registered_person_with_band_and_reasons(
    page: Page, sign_in, demo_city, screenshot_dir, person: Person
):
    sign_in("desk", DEMO_PASSWORD)
    expect(page.get_by_test_id("acting-agency")).to_have_text(DESK_AGENCY)
    page.goto(demo_city.url + "/persons/new/")
    page.wait_for_load_state()

    typed_name = person.name.replace(" ", "")
    typed_kana = "".join(HIRAGANA.get(ch, ch) for ch in person.name_kana)
    typed_birth = format_wareki(mistyped(person.birth_date))
    type_identity(page, typed_name, typed_kana, typed_birth)

    check = page.get_by_test_id("known-check")
    expect(check).to_contain_text("この方は既に登録されているかもしれません")
    match = page.get_by_test_id("known-match").filter(has_text=person.name)
    expect(match).to_have_count(1)
    expect(match.get_by_role("link", name=person.name)).to_have_attribute(
        "href", f"/persons/{person.pk}/"
    )
    expect(match).to_contain_text("氏名が一致")
    expect(match).to_contain_text("生年月日が1日違い")
    band = match.get_by_test_id("known-band")
    expect(band).to_have_text(re.compile(r"一致の可能性 (高|中)（[0-9.]+%）"))
    before = band.inner_text()

    # the address, written in another form, is checked as soon as it is entered
    with page.expect_response(lambda r: "/persons/known-check/" in r.url and "address=" in r.url):
        address = page.get_by_label("住所", exact=True)
        other_form = normalize_address(person.address).base  # 2丁目20番14号 → 2-20-14
        assert other_form != person.address
        address.fill(other_form)
        address.press("Tab")
    expect(match).to_contain_text("住所が一致")
    after = match.get_by_test_id("known-band").inner_text()
    assert float(re.search(r"（([0-9.]+)%）", after).group(1)) >= float(
        re.search(r"（([0-9.]+)%）", before).group(1)
    )
    page.screenshot(path=screenshot_dir / "known-check-01-desk-candidate.png", full_page=True)

    # the offered person is the one to take the consultation for, not a new registration
    expect(match.get_by_test_id("consult-this-person")).to_have_attribute(
        "href", f"/consultations/new/?person={person.pk}"
    )


def test_worker_of_another_agency_learns_only_whom_to_ask(
    page: Page, sign_in, demo_city, screenshot_dir, person: Person
):
    office = Agency.objects.get(code=PROGRAM_OFFICE)
    sign_in("housing", DEMO_PASSWORD)
    page.goto(demo_city.url + "/persons/new/")
    page.wait_for_load_state()
    type_identity(page, person.name, person.name_kana, format_wareki(person.birth_date))

    hidden = page.get_by_test_id("known-hidden")
    expect(hidden).to_contain_text("同じ方と思われる記録が他の機関にあります")
    expect(hidden).to_contain_text(office.name)
    expect(page.get_by_test_id("known-match")).to_have_count(0)
    check = page.get_by_test_id("known-check")
    for secret in (person.address, DESK_AGENCY, f"/persons/{person.pk}/"):
        assert secret not in check.inner_html()
    page.screenshot(path=screenshot_dir / "known-check-02-other-agency.png", full_page=True)
