"""``access_rebuild`` and ``access_verify`` for operators."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tsunagu.grants.maintain import ENTRY_FIELDS
from tsunagu.grants.models import AccessGrant, SearchEntry
from tsunagu.grants.tests.test_equivalence import World


@pytest.fixture
def world(agencies, personas):
    world = World(agencies, personas["coordinator"].user)
    world.apply(("join", 0, 0))
    world.apply(("join", 1, 0))
    world.apply(("consult", "houkatsu", None, 0))
    world.apply(("open_case", "houkatsu", "council", 1, 0))
    world.apply(("consent", 0, 1, frozenset({"houkatsu"})))
    return world


def test_verify_passes_when_the_grants_follow_the_records(world):
    out = StringIO()
    call_command("access_verify", stdout=out)
    assert "一致しています" in out.getvalue()


def test_verify_names_a_missing_grant_and_rebuild_restores_it(world, agencies):
    """A write that bypassed save() (here: the grants themselves deleted) is found, with the
    agency and the ids, and ``access_rebuild`` puts the same grants back."""
    before = set(
        AccessGrant.objects.filter(valid_until__isnull=True).values_list(
            "agency_id", "person_id", "household_id", "case_id", "basis"
        )
    )
    assert before
    AccessGrant.objects.filter(person=world.persons[1]).delete()
    err = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("access_verify", stderr=err)
    assert failed.value.returncode == 1
    assert (
        f"{agencies['houkatsu'].name}: 規則では見られる本人に根拠がありません: " in err.getvalue()
    )
    assert str(world.persons[1].pk) in err.getvalue()

    call_command("access_rebuild", stdout=StringIO())
    after = set(
        AccessGrant.objects.filter(valid_until__isnull=True).values_list(
            "agency_id", "person_id", "household_id", "case_id", "basis"
        )
    )
    assert after == before
    call_command("access_verify", stdout=StringIO())


def test_verify_names_a_grant_the_rules_do_not_give(world, agencies):
    AccessGrant.objects.create(
        agency=agencies["housing"],
        person=world.persons[2],
        basis="consulted",
        valid_from=world.persons[2].created_at,
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("access_verify", stderr=err)
    assert f"{agencies['housing'].name}: 規則では見られない本人に根拠があります: " in err.getvalue()


def test_verify_names_stale_search_entries_and_rebuild_restores_them(world, agencies):
    """The search entries follow the grants and the names: an entry removed, one holding an
    old name and one for a person the agency may not see are each named; ``access_rebuild``
    puts them right."""
    houkatsu = agencies["houkatsu"]
    son, mother = world.persons[1], world.persons[0]
    before = set(SearchEntry.objects.values_list(*ENTRY_FIELDS))
    assert (houkatsu.pk, son.pk) in {row[:2] for row in before}
    SearchEntry.objects.filter(agency=houkatsu, person=son).delete()
    SearchEntry.objects.filter(agency=houkatsu, person=mother).update(key_name="古い名前")
    SearchEntry.objects.create(agency=agencies["housing"], person=world.persons[2])
    err = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("access_verify", stderr=err)
    assert failed.value.returncode == 1
    text = err.getvalue()
    missing = (
        f"{houkatsu.name}: 見られる本人の検索用の行がないか、氏名の検索キーが古くなっています: "
    )
    assert missing in text
    line = next(row for row in text.splitlines() if row.startswith(missing))
    assert set(line.removeprefix(missing).split(", ")) == {str(son.pk), str(mother.pk)}
    extra = f"{agencies['housing'].name}: 見られない（またはアーカイブ済みの）本人の検索用の行があります: "
    assert f"{extra}{world.persons[2].pk}" in text

    call_command("access_rebuild", stdout=StringIO())
    assert set(SearchEntry.objects.values_list(*ENTRY_FIELDS)) == before
    call_command("access_verify", stdout=StringIO())
