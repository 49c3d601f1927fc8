"""Named hooks through which higher apps take part in the 不足する社会資源 register.

The register (``ResourceGap``) sits in this app, below the apps where gaps are found: a
meeting (``tsunagu.meetings``) or matching that found no resource for a person
(``tsunagu.participation``). Those apps keep their own link rows and register here, in their
``AppConfig.ready()``, how to show them and how many people each gap affects.
"""

from __future__ import annotations

from collections.abc import Callable

# ``finder(user, gap) -> list[(label, url_or_empty)]``: where the gap was found, only what
# ``user`` may see (a meeting the user is a member of, a record the user may read).
_link_finders: list[Callable[..., list]] = []
# ``counter(gap_ids) -> {gap_id: people}``: people waiting on each gap (no names).
_people_counters: list[Callable[[list[int]], dict[int, int]]] = []


def register_gap_links(finder: Callable[..., list]) -> Callable[..., list]:
    if finder not in _link_finders:
        _link_finders.append(finder)
    return finder


def register_gap_people_counter(counter: Callable[[list[int]], dict[int, int]]):
    if counter not in _people_counters:
        _people_counters.append(counter)
    return counter


def gap_links(user, gap) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for finder in _link_finders:
        found.extend(finder(user, gap))
    return found


def people_affected(gap_ids: list[int]) -> dict[int, int]:
    """How many people wait on each gap, summed over the apps that link people to gaps."""
    totals = dict.fromkeys(gap_ids, 0)
    if not gap_ids:
        return totals
    for counter in _people_counters:
        for gap_id, count in counter(list(gap_ids)).items():
            totals[gap_id] = totals.get(gap_id, 0) + count
    return totals
