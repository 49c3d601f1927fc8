"""The 名寄せ screens: the queue, the pair side by side, confirm / reject, merges and undo."""

from __future__ import annotations

import re

import pytest

from tsunagu.audit.models import AuditEvent
from tsunagu.cases.tests.conftest import *  # noqa: F403
from tsunagu.common.templatetags.wareki import wareki
from tsunagu.linkage.models import CandidateStatus, MatchCandidate, PersonMerge
from tsunagu.linkage.services.merge import person_merge, person_unmerge
from tsunagu.linkage.services.review import candidate_add
from tsunagu.linkage.tests.test_merge import (  # noqa: F401
    candidate,
    father_and_son,
    stranger,
    twins,
)
from tsunagu.people.models import Person

REVIEWERS = ["officer", "coordinator"]
NON_REVIEWERS = ["desk", "outreach", "participation", "community", "guest", "admin", "unrelated"]


def review_url(c) -> str:
    return f"/linkage/review/{c.pk}/"


@pytest.fixture
def merge(personas, twins):
    return person_merge(
        by=personas["officer"].user, survivor=twins["mother"], merged=twins["dup"], reason="同一"
    )


# --- who may open which page ------------------------------------------------------------


@pytest.mark.parametrize("who", REVIEWERS)
def test_reviewers_see_the_queue(login, personas, candidate, who):
    response = login(personas[who]).get("/linkage/review/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="candidate-row-{candidate.pk}"' in html
    assert "93.0%" in html
    assert "氏名・フリガナ・生年月日" in html
    event = AuditEvent.objects.filter(action="linkage.candidate_list").get()
    assert event.person_ids == sorted([candidate.person_a_id, candidate.person_b_id])


def test_a_pair_held_by_a_rule_shows_why_on_every_rendering(login, personas, father_and_son):
    """A father and a son of one name in one household: the queue, the pair and the API say
    so; a pair without such a rule says nothing."""
    father, son = father_and_son
    held = candidate_add(person_a=father, person_b=son, probability=0.97, origin="batch")
    text = "同一世帯・同名・生年月日が異なる（親子・きょうだいなど別の方の可能性）"
    client = login(personas["coordinator"])
    listed = client.get("/linkage/review/").content.decode()
    row = listed.split(f'data-testid="candidate-row-{held.pk}"')[1].split("</tr>")[0]
    assert text in row
    detail = client.get(review_url(held)).content.decode()
    assert 'data-testid="candidate-caution"' in detail and text in detail
    api = client.get(f"/api/v1/linkage/candidates/{held.pk}").json()
    assert api["cautions"] == [text]


def test_a_pair_without_a_rule_has_no_caution(login, personas, candidate):
    client = login(personas["officer"])
    assert 'data-testid="candidate-caution"' not in client.get(review_url(candidate)).text
    assert client.get(f"/api/v1/linkage/candidates/{candidate.pk}").json()["cautions"] == []


@pytest.mark.parametrize("who", NON_REVIEWERS)
@pytest.mark.parametrize(
    "url",
    [
        "/linkage/review/",
        "/linkage/review/{c}/",
        "/linkage/merges/",
        "/linkage/merges/{m}/",
    ],
)
def test_other_roles_are_refused_every_page(login, personas, candidate, merge, who, url):
    response = login(personas[who]).get(url.format(c=candidate.pk, m=merge.pk))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="linkage.candidate_v").exists()


@pytest.mark.parametrize("who", NON_REVIEWERS)
def test_other_roles_may_not_post(login, personas, candidate, twins, who):
    client = login(personas[who])
    response = client.post(
        f"/linkage/review/{candidate.pk}/confirm/", {"confirm-survivor": twins["mother"].pk}
    )
    assert response.status_code == 403
    response = client.post(f"/linkage/review/{candidate.pk}/reject/", {"reject-note": "別人"})
    assert response.status_code == 403
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.PENDING


def test_anonymous_is_sent_to_login(client, candidate):
    response = client.get("/linkage/review/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_nav_shows_the_entry_to_reviewers_only(login, personas):
    assert "名寄せ" in login(personas["coordinator"]).get("/").content.decode()
    assert "/linkage/review/" not in login(personas["desk"]).get("/").content.decode()


def test_a_pair_with_a_person_the_coordinator_cannot_see_is_hidden(
    login,
    personas,
    twins,
    stranger,
):
    hidden = candidate_add(
        person_a=twins["dup"], person_b=stranger, probability=0.88, origin="batch"
    )
    client = login(personas["coordinator"])
    html = client.get("/linkage/review/").content.decode()
    assert f"candidate-row-{hidden.pk}" not in html
    assert stranger.name not in html
    assert client.get(review_url(hidden)).status_code == 404
    response = client.post(
        f"/linkage/review/{hidden.pk}/confirm/", {"confirm-survivor": twins["dup"].pk}
    )
    assert response.status_code == 404
    assert client.post(
        f"/linkage/review/{hidden.pk}/reject/", {"reject-note": "x"}
    ).status_code == (404)
    # the program office sees everything
    assert login(personas["officer"]).get(review_url(hidden)).status_code == 200


def test_unknown_ids_answer_404(login, personas):
    client = login(personas["officer"])
    assert client.get("/linkage/review/999999/").status_code == 404
    assert client.get("/linkage/merges/999999/").status_code == 404


# --- the pair side by side --------------------------------------------------------------


def test_detail_shows_both_records_side_by_side(login, personas, twins, candidate):
    response = login(personas["coordinator"]).get(review_url(candidate))
    assert response.status_code == 200
    html = response.content.decode()
    assert "山田 フミ" in html and "山田 ふみ" in html
    assert "昭和18年5月2日" in html
    assert "岐阜市中央一丁目2番3号" in html
    assert "058-111-2222" in html
    assert "山田ふみ世帯（世帯主）" in html
    assert "地域包括支援センター中央" in html  # the mother's registering agency
    assert "福祉まるごと支援員（社協）" in html  # the duplicate's
    assert 'data-testid="confirm-form"' in html and 'data-testid="reject-form"' in html
    event = AuditEvent.objects.get(action="linkage.candidate_view")
    assert event.person_ids == sorted([twins["mother"].pk, twins["dup"].pk])
    assert event.target_id == str(candidate.pk)


def test_band_filter(login, personas, twins, candidate):
    client = login(personas["officer"])
    assert (
        f"candidate-row-{candidate.pk}" in client.get("/linkage/review/?band=high").content.decode()
    )
    assert (
        f"candidate-row-{candidate.pk}"
        not in client.get("/linkage/review/?band=low").content.decode()
    )
    assert (
        f"candidate-row-{candidate.pk}"
        not in client.get("/linkage/review/?band=middle").content.decode()
    )


def test_queue_pages_by_25(login, personas, twins):
    officer = personas["officer"].user
    from tsunagu.people import services as people_services

    people = [
        people_services.person_create(by=officer, name=f"候補 {i}", name_kana="コウホ")
        for i in range(27)
    ]
    for i in range(26):
        candidate_add(person_a=people[i], person_b=people[i + 1], probability=0.5)
    client = login(personas["officer"])
    first = client.get("/linkage/review/").content.decode()
    assert first.count('data-testid="candidate-row-') == 25
    second = client.get("/linkage/review/?page=2").content.decode()
    assert second.count('data-testid="candidate-row-') == 1


# --- confirm and reject -----------------------------------------------------------------


def test_confirm_merges_into_the_chosen_record(login, personas, twins, candidate):
    client = login(personas["coordinator"])
    response = client.post(
        f"/linkage/review/{candidate.pk}/confirm/",
        {"confirm-survivor": twins["dup"].pk, "confirm-note": "電話で本人に確認"},
    )
    merge = PersonMerge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/linkage/merges/{merge.pk}/"
    assert merge.survivor == twins["dup"] and merge.merged == twins["mother"]
    assert Person.objects.get(pk=twins["mother"].pk).is_archived
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.CONFIRMED
    assert candidate.review_note == "電話で本人に確認"


def test_confirm_without_a_survivor_shows_a_japanese_error(login, personas, candidate):
    response = login(personas["officer"]).post(f"/linkage/review/{candidate.pk}/confirm/", {})
    assert response.status_code == 400
    assert "残す記録を選んでください。" in response.content.decode()
    assert not PersonMerge.objects.exists()


def test_confirm_refuses_a_third_person_as_survivor(login, personas, candidate, stranger):
    response = login(personas["officer"]).post(
        f"/linkage/review/{candidate.pk}/confirm/", {"confirm-survivor": stranger.pk}
    )
    assert response.status_code == 400
    assert "どちらかを選んでください" in response.content.decode()
    assert not PersonMerge.objects.exists()


def test_reject_needs_a_note(login, personas, candidate):
    client = login(personas["coordinator"])
    response = client.post(f"/linkage/review/{candidate.pk}/reject/", {"reject-note": ""})
    assert response.status_code == 400
    assert "別人と判断した理由を入力してください。" in response.content.decode()
    response = client.post(
        f"/linkage/review/{candidate.pk}/reject/", {"reject-note": "住所も家族構成も異なる"}
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.REJECTED
    assert f"candidate-row-{candidate.pk}" not in client.get("/linkage/review/").content.decode()


def test_a_decided_pair_cannot_be_decided_again(login, personas, twins, candidate):
    client = login(personas["officer"])
    client.post(f"/linkage/review/{candidate.pk}/reject/", {"reject-note": "別人"})
    response = client.post(
        f"/linkage/review/{candidate.pk}/confirm/", {"confirm-survivor": twins["mother"].pk}
    )
    assert response.status_code == 302
    assert not PersonMerge.objects.exists()
    page = client.get(review_url(candidate)).content.decode()
    assert "既に「別人と判断」として確認済みです" in page
    assert 'data-testid="confirm-form"' not in page


# --- merges and undo --------------------------------------------------------------------


@pytest.mark.parametrize("who", REVIEWERS)
def test_merge_list_and_detail(login, personas, twins, merge, who):
    client = login(personas[who])
    html = client.get("/linkage/merges/").content.decode()
    assert f'data-testid="merge-row-{merge.pk}"' in html
    assert "元に戻す" in html
    detail = client.get(f"/linkage/merges/{merge.pk}/").content.decode()
    assert "相談 1件" in detail
    assert "終了した世帯員記録 1件" in detail
    assert AuditEvent.objects.filter(action="linkage.merge_view").get().person_ids == sorted(
        [twins["mother"].pk, twins["dup"].pk]
    )


def test_unmerge_from_the_screen(login, personas, twins, merge):
    client = login(personas["coordinator"])
    response = client.post(f"/linkage/merges/{merge.pk}/unmerge/", {"reason": ""})
    assert response.status_code == 400
    assert "元に戻す理由を入力してください。" in response.content.decode()
    response = client.post(f"/linkage/merges/{merge.pk}/unmerge/", {"reason": "別人と判明"})
    assert response.status_code == 302
    assert not Person.objects.get(pk=twins["dup"].pk).is_archived
    detail = client.get(f"/linkage/merges/{merge.pk}/").content.decode()
    assert "元に戻し済み" in detail and "別人と判明" in detail
    # a second undo is refused with a message and changes nothing
    response = client.post(f"/linkage/merges/{merge.pk}/unmerge/", {"reason": "もう一度"})
    assert response.status_code == 302
    assert "既に元に戻されています" in client.get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(action="person.unmerge").count() == 1


@pytest.mark.parametrize("who", NON_REVIEWERS)
def test_other_roles_may_not_unmerge(login, personas, twins, merge, who):
    response = login(personas[who]).post(f"/linkage/merges/{merge.pk}/unmerge/", {"reason": "x"})
    assert response.status_code == 403
    assert Person.objects.get(pk=twins["dup"].pk).is_archived


def test_a_merge_of_persons_the_coordinator_cannot_see_is_hidden(login, personas, stranger):
    officer = personas["officer"].user
    from tsunagu.people import services as people_services

    other = people_services.person_create(by=officer, name="山田 フミ子", name_kana="ヤマダ フミコ")
    hidden = person_merge(by=officer, survivor=stranger, merged=other, reason="同一")
    client = login(personas["coordinator"])
    assert f"merge-row-{hidden.pk}" not in client.get("/linkage/merges/").content.decode()
    assert client.get(f"/linkage/merges/{hidden.pk}/").status_code == 404
    assert client.post(f"/linkage/merges/{hidden.pk}/unmerge/", {"reason": "x"}).status_code == 404
    assert Person.objects.get(pk=other.pk).is_archived
    assert MatchCandidate.objects.count() == 0


# --- navigation and the records' links ---------------------------------------------------


def breadcrumb(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="パンくず">(.*?)</nav>', html).group(1)
    return [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li[^>]*>(.*?)</li>", nav)]


def active_tab(html: str) -> str:
    tabs = re.search(r'<ul [^>]*data-testid="linkage-tabs">(.*?)</ul>', html, re.S)
    assert tabs, "no 名寄せ tabs on the page"
    active = re.search(r'class="nav-link active" aria-current="page"[^>]*>(.*?)</a>', tabs[1])
    return active[1]


def test_pair_page_has_home_in_its_breadcrumb_and_the_tabs(login, personas, candidate):
    html = login(personas["coordinator"]).get(review_url(candidate)).content.decode()
    assert breadcrumb(html) == ["ホーム", "名寄せ", f"候補 #{candidate.pk}"]
    assert active_tab(html) == "確認待ちの候補"
    assert 'href="/linkage/merges/">統合の履歴</a>' in html  # reachable from a pair
    assert 'href="/linkage/imports/"' in html


def test_merge_page_has_home_in_its_breadcrumb_and_the_tabs(login, personas, merge):
    html = login(personas["officer"]).get(f"/linkage/merges/{merge.pk}/").content.decode()
    assert breadcrumb(html) == ["ホーム", "名寄せ", "統合の履歴", f"#{merge.pk}"]
    assert active_tab(html) == "統合の履歴"


def person_cell(html: str, testid: str) -> str:
    return re.search(rf'<td data-testid="{testid}">(.*?)</td>', html, re.S).group(1)


def test_after_undo_the_restored_record_has_its_link_too(login, personas, twins, merge):
    client = login(personas["officer"])
    url = f"/linkage/merges/{merge.pk}/"
    html = client.get(url).content.decode()
    survivor, merged = person_cell(html, "merge-survivor"), person_cell(html, "merge-merged")
    assert f'href="/persons/{twins["mother"].pk}/"' in survivor and "本人の記録" in survivor
    assert "アーカイブ済み" in merged and "/persons/" not in merged
    client.post(f"/linkage/merges/{merge.pk}/unmerge/", {"reason": "別人と判明"})
    assert not Person.objects.get(pk=twins["dup"].pk).is_archived
    html = client.get(url).content.decode()
    survivor, merged = person_cell(html, "merge-survivor"), person_cell(html, "merge-merged")
    assert f'href="/persons/{twins["mother"].pk}/"' in survivor
    assert f'href="/persons/{twins["dup"].pk}/"' in merged and "本人の記録" in merged
    assert "アーカイブ済み" not in merged
    assert client.get(f"/persons/{twins['dup'].pk}/").status_code == 200


def test_a_restored_record_the_coordinator_may_not_see_gets_no_link(
    login, personas, twins, stranger
):
    officer = personas["officer"].user
    merge = person_merge(by=officer, survivor=twins["dup"], merged=stranger, reason="同一")
    person_unmerge(by=officer, merge=merge, reason="別人")
    client = login(personas["coordinator"])
    html = client.get(f"/linkage/merges/{merge.pk}/").content.decode()
    assert f'href="/persons/{twins["dup"].pk}/"' in person_cell(html, "merge-survivor")
    merged = person_cell(html, "merge-merged")
    assert stranger.name in merged and "/persons/" not in merged
    assert client.get(f"/persons/{stranger.pk}/").status_code == 404
    # the program office may open both
    html = login(personas["officer"]).get(f"/linkage/merges/{merge.pk}/").content.decode()
    assert f'href="/persons/{stranger.pk}/"' in person_cell(html, "merge-merged")


def test_the_registration_date_does_not_wrap(login, personas, twins, merge):
    html = login(personas["officer"]).get(f"/linkage/merges/{merge.pk}/").content.decode()
    for person in (twins["mother"], twins["dup"]):
        person.refresh_from_db()
        date = wareki(person.created_at)
        assert f'<span class="text-nowrap" data-testid="merge-registered">{date}登録</span>' in html
