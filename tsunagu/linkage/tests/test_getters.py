"""The getters of 名寄せ (candidate pair, merge, CSV import): 404 for whoever may not see
the object (never 403: a person's existence is personal data), 403 for a user who sees it
but does not review 名寄せ asking ``for_write``, the object for the coordinator and the
office."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tsunagu.cases.tests.conftest import *  # noqa: F403
from tsunagu.linkage import matching
from tsunagu.linkage.selectors import imports as import_selectors
from tsunagu.linkage.selectors import review as review_selectors
from tsunagu.linkage.services.merge import person_merge
from tsunagu.linkage.tests.test_import_views import make_batch
from tsunagu.linkage.tests.test_merge import candidate, twins  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def merge(personas, twins):
    return person_merge(
        by=personas["officer"].user, survivor=twins["mother"], merged=twins["dup"], reason="同一"
    )


@pytest.fixture
def batch(personas, monkeypatch):
    monkeypatch.setattr(matching, "score_pairs", lambda records, pool: ([], "stored"))
    return make_batch(personas["coordinator"])


@pytest.mark.parametrize("who", ["coordinator", "officer"])
@pytest.mark.parametrize("for_write", [False, True])
def test_reviewers_get_the_pair_and_the_import(personas, candidate, batch, who, for_write):
    user = personas[who].user
    got = review_selectors.get_candidate_for_user(user, candidate.pk, for_write=for_write)
    assert got == candidate
    assert import_selectors.get_batch_for_user(user, batch.pk, for_write=for_write) == batch


@pytest.mark.parametrize("who", ["coordinator", "officer"])
@pytest.mark.parametrize("for_write", [False, True])
def test_reviewers_get_the_merge(personas, merge, who, for_write):
    user = personas[who].user
    assert review_selectors.get_merge_for_user(user, merge.pk, for_write=for_write) == merge


@pytest.mark.parametrize("for_write", [False, True])
def test_the_unrelated_agency_gets_404(personas, candidate, batch, for_write):
    user = personas["unrelated"].user
    with pytest.raises(Http404):
        review_selectors.get_candidate_for_user(user, candidate.pk, for_write=for_write)
    with pytest.raises(Http404):
        import_selectors.get_batch_for_user(user, batch.pk, for_write=for_write)


@pytest.mark.parametrize("for_write", [False, True])
def test_a_merge_is_404_for_the_unrelated_agency(personas, merge, for_write):
    with pytest.raises(Http404):
        review_selectors.get_merge_for_user(
            personas["unrelated"].user, merge.pk, for_write=for_write
        )


def test_a_worker_who_sees_both_persons_but_does_not_review_gets_403(personas, candidate):
    """The coordinator's colleague (参加支援) sees both records, but only reviewers decide."""
    user = personas["participation"].user
    assert review_selectors.get_candidate_for_user(user, candidate.pk) == candidate
    with pytest.raises(PermissionDenied):
        review_selectors.get_candidate_for_user(user, candidate.pk, for_write=True)


def test_a_worker_who_sees_a_merge_but_does_not_review_gets_403(personas, merge):
    """The coordinator's colleague sees the merge of a record of their agency; only reviewers
    undo it."""
    user = personas["participation"].user
    assert review_selectors.get_merge_for_user(user, merge.pk) == merge
    with pytest.raises(PermissionDenied):
        review_selectors.get_merge_for_user(user, merge.pk, for_write=True)


def test_an_import_of_another_agency_is_404_for_a_coordinator(personas, batch, agencies):
    """Imports are the uploading agency's: another agency's reviewer does not see them."""
    from conftest import make_persona
    from tsunagu.accounts.models import Role

    other = make_persona("other-coordinator", agencies["houkatsu"], Role.COORDINATOR)
    with pytest.raises(Http404):
        import_selectors.get_batch_for_user(other.user, batch.pk)


@pytest.mark.parametrize("pk", [0, "abc", None])
def test_a_missing_or_malformed_id_is_404(personas, candidate, batch, pk):
    user = personas["officer"].user
    for getter in (
        review_selectors.get_candidate_for_user,
        review_selectors.get_merge_for_user,
        import_selectors.get_batch_for_user,
    ):
        with pytest.raises(Http404):
            getter(user, pk)
