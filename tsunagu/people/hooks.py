"""Named hooks through which 名寄せ takes part in the steps of registering a person.

A lower app never imports a higher one (docs/architecture: people ← linkage). The "is this
person known?" check asks the register through the lookup of ``tsunagu.linkage``, and a
person registered as distinct despite a match is queued for review there; ``linkage``
registers both once, in its ``AppConfig.ready()``. Neither step can go without it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

_person_lookup: Callable[..., object] | None = None
_probe: Callable[..., object] | None = None
_registration_pair_queue: Callable[..., object] | None = None


def set_person_lookup(
    handler: Callable[..., object], *, probe: Callable[..., object]
) -> Callable[..., object]:
    """``handler(probe(name=, kana=, birth_date=, sex=, address=, phones=), today=date)``
    answers who in the register (every agency, archived persons left out) may be the person
    described: ``.candidates``, best first, each with ``person_id``, ``reasons``,
    ``probability`` and ``band``, and ``.common_name`` (registered by ``tsunagu.linkage``:
    ``lookup`` and its ``Probe``)."""
    global _person_lookup, _probe
    _person_lookup = handler
    _probe = probe
    return handler


def lookup_person(
    *,
    name: str,
    kana: str = "",
    birth_date: datetime.date | None = None,
    sex: str = "",
    address: str = "",
    phones: tuple[str, ...] = (),
    today: datetime.date,
):
    if _person_lookup is None or _probe is None:
        raise ImproperlyConfigured("本人の照会が登録されていません（tsunagu.linkage）。")
    probe = _probe(
        name=name, kana=kana, birth_date=birth_date, sex=sex, address=address, phones=phones
    )
    return _person_lookup(probe, today=today)


def set_registration_pair_queue(handler: Callable[..., object]) -> Callable[..., object]:
    """``handler(person_a=new, person_b=known, reasons=list)`` queues the pair for review: a
    person was registered as distinct although the known-check named ``known`` (registered by
    ``tsunagu.linkage``; nothing is merged without that review)."""
    global _registration_pair_queue
    _registration_pair_queue = handler
    return handler


def queue_registration_pair(*, person_a, person_b, reasons: list) -> None:
    if _registration_pair_queue is None:
        raise ImproperlyConfigured(
            "名寄せの確認待ちへの登録が登録されていません（tsunagu.linkage）。"
        )
    _registration_pair_queue(person_a=person_a, person_b=person_b, reasons=reasons)
