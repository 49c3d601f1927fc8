"""The sections of the person and household pages, registered by the apps that own them.

A panel is ``panel(user, person) -> dict`` (``panel(user, household)`` on the household
page; the household comes with its ``current_members``): template context, read as the
viewing user sees it, not through the request. What a panel shows is covered by the page's
own audited read (``person.view`` / ``household.view``): the ids of the records it shows go
under :data:`AUDIT` in its answer, a dict merged into the context of that read; the page
leaves them out of the template context.

Panels run in ``order`` (lowest first), which is also the order of their entries in the
audited read; where each one appears on the page is the template's business. Higher apps
register their panels in their ``AppConfig.ready()``: ``people`` imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

Panel = Callable[..., dict]

#: The key of a panel's answer under which it names the records it shows, for the audit.
AUDIT = "audit"


@dataclass(frozen=True)
class _Registered:
    panel: Panel
    order: int


_person_panels: list[_Registered] = []
_household_panels: list[_Registered] = []


def _register(panels: list[_Registered], panel: Panel, order: int, page: str) -> Panel:
    for registered in panels:
        if registered.panel is panel:
            return panel
        if registered.order == order:
            raise ImproperlyConfigured(
                f"The {page} page's panel order {order} is taken by "
                f"{registered.panel.__qualname__}."
            )
    panels.append(_Registered(panel, order))
    return panel


def register_person_panel(panel: Panel, *, order: int) -> Panel:
    """Add ``panel(user, person)`` to the person page (again: nothing)."""
    return _register(_person_panels, panel, order, "person")


def register_household_panel(panel: Panel, *, order: int) -> Panel:
    """Add ``panel(user, household)`` to the household page (again: nothing)."""
    return _register(_household_panels, panel, order, "household")


def person_panels() -> list[Panel]:
    return [r.panel for r in sorted(_person_panels, key=lambda r: r.order)]


def household_panels() -> list[Panel]:
    return [r.panel for r in sorted(_household_panels, key=lambda r: r.order)]


def render_panels(panels: list[Panel], user, obj) -> tuple[dict, dict]:
    """(template context, audited ids) of ``panels`` for ``obj`` as ``user`` sees it."""
    context: dict = {}
    audited: dict = {}
    for panel in panels:
        answer = dict(panel(user, obj))
        audited.update(answer.pop(AUDIT, {}))
        context.update(answer)
    return context, audited
