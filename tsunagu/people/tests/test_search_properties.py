"""Person search finds, whatever the names, exactly the persons the rule names, in reading
order, and the list page's index-only reading (``person_search_ids``) agrees with it.

The rule is written here again from the keys, independently of the selectors: every word
of the query must match; a word of one or two characters matches the start of the whole
name, the family name or the given name (or of the reading and its parts, for a word in
kana), a longer one anywhere in the whole name (or reading); only persons the user may see,
none archived; ordered by reading, then id.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tsunagu.linkage.normalize import search_key
from tsunagu.people import services
from tsunagu.people.models import Person
from tsunagu.people.selectors import person_search, person_search_ids

FAMILIES = ("林", "林田", "小林", "佐藤", "佐々木", "髙橋", "高橋", "ハヤシ", "森", "森本")
GIVENS = ("太郎", "林太郎", "花子", "佐和", "森", "")
READINGS = ("ハヤシ タロウ", "はやしたろう", "サトウ ハナコ", "サトウ", "モリ サワ", "ササキ")
SEPARATORS = (" ", "", "\u3000")
WORDS = ("林", "林太", "佐", "佐藤", "佐々木", "高橋", "髙", "森", "は", "ハヤ", "サト", "タロウ")
WORDS += ("太郎", "子", "和", "ハ", "さとう", "本", "・")
DAYS = (datetime.date(1950, 4, 1), datetime.date(1980, 1, 2), None)

person = st.tuples(
    st.sampled_from(FAMILIES),
    st.sampled_from(SEPARATORS),
    st.sampled_from(GIVENS),
    st.sampled_from(READINGS),
    st.sampled_from(DAYS),
    st.sampled_from((True, True, True, False)),  # registered by the desk (else unseen by it)
    st.sampled_from((False, False, False, True)),  # archived
)


@st.composite
def query(draw, people) -> str:
    """Up to two words: a fixed word, or the start of a name or reading of the generated
    persons (one to three characters), so that most queries find someone."""
    names = [f"{family}{given}" for family, _, given, *_ in people]
    names += [given for _, _, given, *_ in people if given]
    names += [reading.split()[-1] for _, _, _, reading, *_ in people]
    names += [reading for _, _, _, reading, *_ in people]
    start = st.sampled_from(names).flatmap(
        lambda name: st.integers(1, min(3, len(name))).map(lambda n: name[:n])
    )
    words = draw(st.lists(st.one_of(st.sampled_from(WORDS), start), max_size=2))
    return " ".join(words)


def _word_matches(p: Person, word: str) -> bool | None:
    """Whether the person matches one word; None for a word that is no key at all."""
    key = search_key(word)
    if not key.value:
        return None
    if key.is_kana:
        keys = (p.key_kana, p.key_kana_family, p.key_kana_given)
    else:
        keys = (p.key_name, p.key_family, p.key_given)
    if len(key.value) <= 2:
        return any(k.startswith(key.value) for k in keys)
    return key.value in keys[0]


def _expected(persons: list[Person], seen: set[int], q: str, birth_date) -> list[int]:
    found = []
    for p in persons:
        if p.pk not in seen or p.is_archived:
            continue
        if any(_word_matches(p, word) is False for word in q.split()):
            continue
        if birth_date and p.birth_date != birth_date:
            continue
        found.append(p)
    return [p.pk for p in sorted(found, key=lambda p: (p.key_kana, p.pk))]


class Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    people=st.shared(st.lists(person, min_size=1, max_size=8), key="people"),
    q=st.shared(st.lists(person, min_size=1, max_size=8), key="people").flatmap(query),
    birth_date=st.one_of(st.none(), st.none(), st.sampled_from(DAYS)),
)
# a family name of one character: the word of two characters runs into the given name
@example(
    people=[("林", " ", "太郎", "ハヤシ タロウ", None, True, False)], q="林太", birth_date=None
)
# the later registered reads first (サ before ハ): the order is the reading's, not the id's
@example(
    people=[
        ("林", " ", "太郎", "ハヤシ タロウ", None, True, False),
        ("林", " ", "花子", "サトウ ハナコ", None, True, False),
    ],
    q="林",
    birth_date=None,
)
# a reading typed without a space has no family or given part: the whole reading matches
@example(people=[("林", "", "太郎", "はやしたろう", None, True, False)], q="ハヤ", birth_date=None)
# the given name alone, and a name matching two ways counted once
@example(people=[("森", " ", "森", "モリ サワ", None, True, False)], q="森", birth_date=None)
def test_search_finds_the_persons_of_the_rule_in_reading_order(personas, people, q, birth_date):
    desk, other = personas["desk"].user, personas["unrelated"].user
    try:
        with transaction.atomic():
            persons, seen = [], set()
            for family, sep, given, reading, born, by_desk, archived in people:
                p = services.person_create(
                    by=desk if by_desk else other,
                    name=f"{family}{sep}{given}",
                    name_kana=reading,
                    birth_date=born,
                )
                if archived:  # saved, so that the grants and search entries follow
                    p.is_archived = True
                    p.save(update_fields=["is_archived"])
                if by_desk:
                    seen.add(p.pk)
                persons.append(p)
            expected = _expected(persons, seen, q, birth_date)
            found = list(
                person_search(user=desk, q=q, birth_date=birth_date).values_list("pk", flat=True)
            )
            assert found == expected
            for limit in (1, 3, 100):
                ids = person_search_ids(user=desk, q=q, birth_date=birth_date, limit=limit)
                assert ids == expected[:limit]
            raise Rollback
    except Rollback:
        pass
