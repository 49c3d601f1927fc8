"""The sections of the case page, registered by the apps that own them.

Each panel is ``panel(user, case) -> dict`` (template context): a selector of the viewing
user, not of the request; what it shows is covered by the case page's audited read, and the
ids of records of other apps it shows go under :data:`AUDIT` in its answer (merged into that
read's context, left out of the template's). The case
page shows every registered panel to those who see the case's content; a panel registered with
``limited=True`` is also shown to an agency that knows of the case without consent naming it
(it must then show only that agency's own records). ``cases`` registers its own panels here;
higher apps register theirs in their ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tsunagu.people.panels import AUDIT  # the same key as the person pages' panels

Panel = Callable[..., dict]

__all__ = ["AUDIT", "Panel", "case_panels", "register_case_panel"]


@dataclass(frozen=True)
class _Registered:
    panel: Panel
    limited: bool


_panels: list[_Registered] = []


def register_case_panel(panel: Panel, *, limited: bool = False) -> Panel:
    if all(r.panel is not panel for r in _panels):
        _panels.append(_Registered(panel, limited))
    return panel


def case_panels(*, content_visible: bool) -> list[Panel]:
    """The panels for a viewer, in the order registered."""
    return [r.panel for r in _panels if content_visible or r.limited]
