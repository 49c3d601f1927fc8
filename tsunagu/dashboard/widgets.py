"""The home page's widgets (ホーム画面), registered by the apps that own them.

A widget is ``widget(user, *, request) -> dict``: a fragment of the dashboard's template
context (``{}`` when it has nothing for this user). ``user`` is the signed-in user acting under
a membership (``accounts.acting(user)``, never empty: without a membership no widget is
called); a widget reads who is looking and for which agency from it. ``request`` is there only
to record the audited read of the persons a widget names (``audit_read(request,
"dashboard.view", ...)`` takes the client's address and channel from it) and for the panels
that still take the request; nothing else should be read from it.

Widgets run in ``order`` (lowest first), which is also the order of their parts in the
page's one audited read (the dashboard runs them inside ``audit.services.reads_together``);
where each one appears on the page is the dashboard template's business. The dashboard
registers its own widgets, and each higher app registers its widgets in its
``AppConfig.ready()``: the dashboard imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

Widget = Callable[..., dict]


@dataclass(frozen=True)
class _Registered:
    widget: Widget
    order: int


_widgets: list[_Registered] = []


def register_widget(widget: Widget, *, order: int) -> Widget:
    """Add ``widget`` to the dashboard (again: nothing); two widgets may not share an order."""
    for registered in _widgets:
        if registered.widget is widget:
            return widget
        if registered.order == order:
            raise ImproperlyConfigured(
                f"Dashboard widget order {order} is taken by {registered.widget.__qualname__}."
            )
    _widgets.append(_Registered(widget, order))
    return widget


def widgets() -> list[Widget]:
    """The registered widgets, in their order."""
    return [r.widget for r in sorted(_widgets, key=lambda r: r.order)]
