"""エコマップ: what it draws for a household with a case, its team, referrals, a meeting and a
watch; that every part follows what the viewer may see (404 for the unrelated agency, no ties
of a case whose content the team agency may not see); the SVG (well-formed, escaped, A4);
the audit of every read; the API; the meeting's 事例概要シート PDF."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from tsunagu.audit.models import AuditEvent
from tsunagu.cases import services as case_services
from tsunagu.community.services import watches as watch_services
from tsunagu.consultations import services as consultation_services
from tsunagu.meetings.tests.conftest import *  # noqa: F403
from tsunagu.people import selectors as people_selectors
from tsunagu.people import services as people_services
from tsunagu.reports.ecomap import graph
from tsunagu.reports.ecomap.svg import render_svg

SVG = "{http://www.w3.org/2000/svg}"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


@pytest.fixture
def seeded(personas, agencies, consented_case, conference_item, consultation, household_8050):
    """The 8050 household: the mother's case (consent naming the coordinating agency only)
    with the CSW on its team, discussed at a 重層的支援会議; a referral of the son from the
    地域包括 desk to the CSW awaiting an answer; a watch of the son kept by the desk with a
    民生委員 and the CSW."""
    coordinator, desk = personas["coordinator"].user, personas["desk"].user
    case_services.team_add(
        by=coordinator, case=consented_case, agency=agencies["csw"], role="アウトリーチ"
    )
    son = household_8050["son"]
    referral = consultation_services.referral_send(
        by=desk,
        consultation=consultation,
        to_agency=agencies["csw"],
        reason="息子さんへの訪問をお願いします。",
        person=son,
    )
    watch = watch_services.watch_create(
        by=desk,
        person=son,
        reason="日中ひとりで過ごしていて、外出がない。",
        frequency="weekly",
        starts_on=datetime.date(2026, 11, 25),
    )
    watch_services.watcher_add(by=desk, watch=watch, kind="minsei", name="民生委員 佐藤 和子")
    watch_services.watcher_add(by=desk, watch=watch, kind="other", agency=agencies["csw"])
    return {
        "case": consented_case,
        "item": conference_item,
        "referral": referral,
        "watch": watch,
        **household_8050,
    }


def household_map(persona, household):
    user = persona.user
    return graph.household_ecomap(user, people_selectors.get_household_for_user(user, household.pk))


def ties(ecomap, kind=None) -> set[tuple[str, str]]:
    """(target label, edge kind) of every tie (of ``kind``)."""
    index = {n.id: n for n in ecomap.nodes}
    return {(index[e.target].label, e.kind) for e in ecomap.edges if kind is None or e.kind == kind}


# ---------------------------------------------------------------------------- the graph


def test_the_coordinator_sees_the_household_case_team_referrals_and_meeting(
    personas, agencies, seeded
):
    ecomap = household_map(personas["coordinator"], seeded["household"])
    assert ecomap.centre.label == "山田世帯"
    assert ecomap.centre.kind == "household"
    members = {n.label: n for n in ecomap.nodes if n.ring == 1}
    assert set(members) == {"山田 フミ", "山田 一郎"}
    assert members["山田 フミ"].note.startswith("世帯主")
    assert ("山田 一郎", "family") in ties(ecomap)

    found = ties(ecomap)
    council, csw, houkatsu = (agencies[k].name for k in ("council", "csw", "houkatsu"))
    assert (council, "case_coordination") in found
    assert (csw, "case_team") in found
    assert (houkatsu, "case_team") in found  # つなぎ元, on the team from the referral
    assert (houkatsu, "consultation") in found
    assert (council, "referral_to") in found  # the accepted 多機関協働 referral
    assert (csw, "referral_to") in found  # the son's referral, awaiting an answer
    assert ("重層的支援会議（12月定例）", "meeting") in found

    by_kind = {(e.kind, e.target): e for e in ecomap.edges}
    team = by_kind[("case_team", f"agency:{agencies['csw'].pk}")]
    assert team.strength == graph.STRONG
    assert team.label == "支援チーム（アウトリーチ）"
    pending = by_kind[("referral_to", f"agency:{agencies['csw'].pk}")]
    assert pending.strength == graph.PENDING
    assert pending.source == f"person:{seeded['son'].pk}"  # about the son
    assert pending.status == "送付"
    # the watch is kept by the desk and watched by the CSW: the coordinator sees none of it
    assert not ties(ecomap, "watch") and not ties(ecomap, "watcher")
    assert ecomap.records["cases"] == [seeded["case"].pk]
    assert ecomap.records["meetings"] == [seeded["item"].meeting_id]
    assert set(ecomap.persons) == {seeded["mother"].pk, seeded["son"].pk}


def test_the_desk_sees_its_watch_and_not_the_case_it_may_not_see_inside(personas, agencies, seeded):
    """The 地域包括 desk referred the case and is on its team, but the mother's consent does
    not name it: it sees that the case is coordinated and its own place on the team, not the
    CSW's place, the roles or the meeting."""
    ecomap = household_map(personas["desk"], seeded["household"])
    found = ties(ecomap)
    council, csw, houkatsu = (agencies[k].name for k in ("council", "csw", "houkatsu"))
    assert (council, "case_coordination") in found
    coordination = next(e for e in ecomap.edges if e.kind == "case_coordination")
    assert "内容は閲覧できません" in coordination.label
    assert (houkatsu, "case_team") in found
    assert (csw, "case_team") not in found
    assert not ties(ecomap, "case_lead")
    assert not [n for n in ecomap.nodes if n.kind == "meeting"]
    assert "アウトリーチ" not in {e.label for e in ecomap.edges if e.kind == "case_team"}
    # its own records: the consultation, both referrals, the watch and its watchers
    assert (houkatsu, "consultation") in found
    assert (csw, "referral_to") in found
    assert (houkatsu, "watch") in found
    assert ("民生委員 佐藤 和子", "watcher") in found
    assert (csw, "watcher") in found
    watcher = next(e for e in ecomap.edges if e.kind == "watcher")
    assert watcher.strength == graph.INFORMAL


def test_a_member_the_viewer_may_not_see_is_drawn_without_name_or_ties(personas, agencies, seeded):
    """The CSW sees the son (the referral), not the mother (no consent names it)."""
    user = personas["outreach"].user
    household = people_selectors.get_household_for_user(user, seeded["household"].pk)
    ecomap = graph.household_ecomap(user, household)
    members = {n.id: n for n in ecomap.nodes if n.ring == 1}
    mother = members[f"person:{seeded['mother'].pk}"]
    assert mother.label == graph.HIDDEN_MEMBER and mother.note == ""
    assert members[f"person:{seeded['son'].pk}"].label == "山田 一郎"
    assert not [e for e in ecomap.edges if e.source == mother.id]
    assert seeded["mother"].pk not in ecomap.persons
    assert "山田 フミ" not in render_svg(ecomap)


def test_the_person_map_has_the_family_around_the_person(personas, agencies, seeded):
    user = personas["coordinator"].user
    person = people_selectors.get_person_for_user(user, seeded["mother"].pk)
    ecomap = graph.person_ecomap(user, person)
    assert ecomap.centre.label == "山田 フミ"
    assert ecomap.centre.note.startswith("世帯主")
    assert [n.label for n in ecomap.nodes if n.ring == 1] == ["山田 一郎"]
    assert (agencies["csw"].name, "case_team") in ties(ecomap)
    # the son's own referral is his, not his mother's
    assert (agencies["csw"].name, "referral_to") not in ties(ecomap)


# ---------------------------------------------------------------------------- the SVG


def test_the_svg_is_well_formed_a4_and_escapes_names(personas, agencies, seeded):
    desk = personas["desk"].user
    odd = people_services.person_create(
        by=desk, name='山田 <次郎> & "花"', name_kana="ヤマダ ジロウ"
    )
    people_services.household_add_member(
        by=desk, household=seeded["household"], person=odd, relation="grandchild"
    )
    ecomap = household_map(personas["desk"], seeded["household"])
    svg = render_svg(ecomap)
    assert "<次郎>" not in svg
    assert "&lt;次郎&gt;" in svg and "&amp;" in svg
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 1000 1000"
    assert "Noto Sans CJK JP" in root.get("font-family")
    texts = "".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "<次郎>" in texts and "&" in texts
    assert "線の種類（関わりの強さ）" in texts  # the legend
    assert len(root.findall(f".//{SVG}g[@class='node node-member']")) == 3
    inline = render_svg(ecomap, standalone=False)
    assert not inline.startswith("<?xml")
    ET.fromstring(inline)


def test_an_empty_map_says_so(personas):
    desk = personas["desk"].user
    alone = people_services.person_create(by=desk, name="川上 一人", name_kana="カワカミ カズト")
    ecomap = graph.person_ecomap(desk, alone)
    assert [n.kind for n in ecomap.nodes] == ["person"] and not ecomap.edges
    assert "記録された関わりはありません" in render_svg(ecomap)


# ---------------------------------------------------------------------------- pages and API


def test_the_page_shows_the_picture_and_table_and_is_audited(login, personas, seeded):
    client = login(personas["coordinator"])
    household = seeded["household"]
    response = client.get(f"/households/{household.pk}/ecomap/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="ecomap-figure"' in body
    assert "<svg" in body and "tsunagu/ecomap.css" in body  # printed on A4 by its stylesheet
    assert (
        "@page { size: A4; margin: 12mm; }" in Path(finders.find("tsunagu/ecomap.css")).read_text()
    )
    assert body.count('data-testid="ecomap-row"') == len(
        household_map(personas["coordinator"], household).edges
    )
    assert "支援チーム（アウトリーチ）" in body
    event = AuditEvent.objects.filter(action="household.view").latest("seq")
    assert event.actor == personas["coordinator"].user
    assert event.target_id == str(household.pk)
    assert event.context["page"] == "ecomap"
    assert event.context["format"] == "html"
    assert event.context["cases"] == [seeded["case"].pk]
    assert event.person_ids == sorted([seeded["mother"].pk, seeded["son"].pk])

    person = seeded["mother"]
    response = client.get(f"/persons/{person.pk}/ecomap/")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="person.view").latest("seq")
    assert event.context["page"] == "ecomap" and person.pk in event.person_ids


def test_the_svg_download(login, personas, seeded):
    client = login(personas["desk"])
    response = client.get(f"/persons/{seeded['son'].pk}/ecomap.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="ecomap_person_{seeded["son"].pk}.svg"'
    )
    ET.fromstring(response.content)
    event = AuditEvent.objects.filter(action="person.view").latest("seq")
    assert event.context["format"] == "svg"
    assert event.context["watches"] == [seeded["watch"].pk]


def test_the_person_and_household_pages_link_to_it(login, personas, seeded):
    client = login(personas["coordinator"])
    person, household = seeded["mother"], seeded["household"]
    body = client.get(f"/persons/{person.pk}/").content.decode()
    assert f'href="/persons/{person.pk}/ecomap/" data-testid="ecomap-link"' in body
    body = client.get(f"/households/{household.pk}/").content.decode()
    assert f'href="/households/{household.pk}/ecomap/" data-testid="ecomap-link"' in body


def test_an_unrelated_agency_gets_404_on_every_path(login, personas, seeded):
    client = login(personas["unrelated"])
    person, household = seeded["mother"], seeded["household"]
    before = AuditEvent.objects.count()
    for url in (
        f"/persons/{person.pk}/ecomap/",
        f"/persons/{person.pk}/ecomap.svg",
        f"/households/{household.pk}/ecomap/",
        f"/households/{household.pk}/ecomap.svg",
        f"/api/v1/reports/ecomap/persons/{person.pk}",
        f"/api/v1/reports/ecomap/households/{household.pk}",
        "/persons/999999/ecomap/",
    ):
        assert client.get(url).status_code == 404, url
    assert not AuditEvent.objects.filter(pk__gt=before, action__endswith=".view").exists()


def test_the_api_answers_the_same_graph(login, personas, agencies, seeded):
    client = login(personas["desk"])
    household = seeded["household"]
    response = client.get(f"/api/v1/reports/ecomap/households/{household.pk}")
    assert response.status_code == 200
    data = response.json()
    expected = household_map(personas["desk"], household)
    assert data["subject"] == "household" and data["subject_id"] == household.pk
    assert [n["id"] for n in data["nodes"]] == [n.id for n in expected.nodes]
    assert len(data["edges"]) == len(expected.edges)
    kinds = {(e["target"], e["kind"]) for e in data["edges"]}
    assert (f"agency:{agencies['csw'].pk}", "case_team") not in kinds
    assert (f"agency:{agencies['houkatsu'].pk}", "watch") in kinds
    watch = next(e for e in data["edges"] if e["kind"] == "watch")
    assert watch["category_label"] == "見守り"
    assert watch["strength_label"] == graph.STRENGTH_LABELS[graph.INFORMAL]
    event = AuditEvent.objects.filter(action="household.view").latest("seq")
    assert event.context["format"] == "json" and event.context["page"] == "ecomap"

    person = client.get(f"/api/v1/reports/ecomap/persons/{seeded['son'].pk}")
    assert person.status_code == 200
    assert person.json()["nodes"][0]["label"] == "山田 一郎"


# ---------------------------------------------------------------------------- a sample


def test_sample_ecomap_artifact(personas, agencies, seeded, city):
    """A fuller household as the program office sees it — with outreach, 参加支援 at a place
    and consultations at other desks — kept for a human eye (test-artifacts/ecomap_*.svg)."""
    from tsunagu.accounts.models import Agency
    from tsunagu.consultations.models import Consultation
    from tsunagu.outreach.models import OutreachRecord
    from tsunagu.participation.models import Match, ParticipationRecord
    from tsunagu.resources.models import Organization, Resource, ResourceKind

    officer = personas["officer"].user
    son, household = seeded["son"], seeded["household"]
    OutreachRecord.objects.create(
        agency=agencies["csw"],
        label="北部 50代男性",
        person=son,
        source="agency",
        began_on=datetime.date(2026, 10, 1),
        stage="relationship",
        created_by=personas["outreach"].user,
    )
    record = ParticipationRecord.objects.create(
        agency=agencies["council"],
        worker=personas["participation"].user,
        person=son,
        started_on=datetime.date(2026, 11, 1),
        goals="週に1回、外に出る",
        created_by=personas["participation"].user,
    )
    farm = Resource.objects.create(
        organization=Organization.objects.create(name="NPO法人 みどりの畑"),
        name="みどりの畑 農作業ボランティア",
        kind=ResourceKind.objects.order_by("sort_order").first(),
        confirmed_on=datetime.date(2026, 11, 1),
        created_by=officer,
    )
    Match.objects.create(
        record=record,
        resource=farm,
        status="started",
        proposed_on=datetime.date(2026, 11, 5),
        started_on=datetime.date(2026, 11, 20),
    )
    for n, name in enumerate(
        ("社会福祉課 生活保護係", "障害福祉課", "保健センター", "ひきこもり地域支援センター")
    ):
        desk = Agency.objects.create(
            code=f"extra{n}", name=name, field="other", operation="direct", area=city
        )
        Consultation.objects.create(
            agency=desk,
            recorded_by=officer,
            received_on=datetime.date(2026, 9, 1 + n),
            channel="phone",
            consulter_type="family",
            person=son if n % 2 else seeded["mother"],
            household=household,
            summary="相談",
            outcome="handled" if n % 2 else "information",
        )
    ecomap = household_map(personas["officer"], household)
    kinds = {e.kind for e in ecomap.edges}
    assert {"outreach", "participation", "participation_place", "watch", "meeting"} <= kinds
    assert "みどりの畑 農作業ボランティア" in {n.label for n in ecomap.nodes}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "ecomap_household.svg").write_text(render_svg(ecomap), encoding="utf-8")
    person = people_selectors.get_person_for_user(officer, son.pk)
    (ARTIFACTS / "ecomap_person.svg").write_text(
        render_svg(graph.person_ecomap(officer, person)), encoding="utf-8"
    )


# ---------------------------------------------------------------------------- the sheet PDF


@pytest.fixture
def fed_to_pdf(monkeypatch):
    """The HTML each PDF of the 事例概要シート is rendered from (the PDF is still rendered)."""
    from tsunagu.meetings import summary_views

    fed: list[str] = []
    real = summary_views.render_pdf

    def render(html, **kwargs):
        fed.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(summary_views, "render_pdf", render)
    return fed


def test_the_meeting_sheet_pdf_carries_the_ecomap(login, personas, seeded, fed_to_pdf):
    item = seeded["item"]
    client = login(personas["coordinator"])
    response = client.get(f"/meetings/{item.meeting_id}/items/{item.pk}/sheet.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    html = fed_to_pdf[-1]
    assert 'data-testid="sheet-ecomap"' in html
    assert "山田世帯のエコマップ" in html and "<svg" in html
    assert "支援チーム（アウトリーチ）" in html  # the table under the picture
    svg = html[html.index("<svg") : html.index("</svg>") + len("</svg>")]
    ET.fromstring(svg)
    event = AuditEvent.objects.filter(action="household.view").latest("seq")
    assert event.context["format"] == "pdf"
    assert event.context["meeting"] == item.meeting_id and event.context["item"] == item.pk
    sheet = AuditEvent.objects.filter(action="meeting.summary_sheet").latest("seq")
    assert sheet.context["format"] == "pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "summary_sheet_with_ecomap.pdf").write_bytes(response.content)

    response = client.get(f"/api/v1/meetings/{item.meeting_id}/items/{item.pk}/sheet.pdf")
    assert response.status_code == 200
    assert 'data-testid="sheet-ecomap"' in fed_to_pdf[-1]


def test_a_sheet_without_personal_content_has_no_ecomap(
    login, personas, conference, case, fed_to_pdf
):
    from tsunagu.meetings.models import AgendaItem

    item = AgendaItem.objects.create(meeting=conference, order=2, case=case, purpose="progress")
    response = login(personas["coordinator"]).get(
        f"/meetings/{item.meeting_id}/items/{item.pk}/sheet.pdf"
    )
    assert response.status_code == 200
    assert "sheet-ecomap" not in fed_to_pdf[-1]
    assert not AuditEvent.objects.filter(action="household.view").exists()
