"""Named hooks through which a higher app takes part in a step of 包括的相談支援.

A lower app never imports a higher one (docs/architecture: consultations ← cases ← meetings).
Where a step here must be completed by a higher app in the same transaction, that app
registers its handler once, in its ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

_multi_agency_acceptor: Callable[..., object] | None = None


def set_multi_agency_acceptor(handler: Callable[..., object]) -> Callable[..., object]:
    """``handler(by=user, referral=referral, note=str)`` accepts a 多機関協働 referral: the
    referral becomes 受理 and its case opens (registered by ``tsunagu.cases``)."""
    global _multi_agency_acceptor
    _multi_agency_acceptor = handler
    return handler


def accept_multi_agency(*, by, referral, note: str = "") -> None:
    if _multi_agency_acceptor is None:
        raise ImproperlyConfigured(
            "多機関協働の事例を開く処理が登録されていません（tsunagu.cases）。"
        )
    _multi_agency_acceptor(by=by, referral=referral, note=note)


# Records of higher apps tied to a consultation or a referral (an outreach record begun from
# it, the community activity where it was raised …), shown on its page as links:
# ``finder(user, *, consultation=None, referral=None) -> list[(label, url)]``, only what
# ``user`` may see.
_related_finders: list[Callable[..., list]] = []


def register_related_records(finder: Callable[..., list]) -> Callable[..., list]:
    if finder not in _related_finders:
        _related_finders.append(finder)
    return finder


def related_records(user, *, consultation=None, referral=None) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for finder in _related_finders:
        found.extend(finder(user, consultation=consultation, referral=referral))
    return found
