"""The home page's meetings panel, registered in ``MeetingsConfig.ready()``."""

from __future__ import annotations

from . import selectors


def meetings(user, *, request) -> dict:
    """The next meetings, the pledges they still need and the agency's open action items
    (``selectors.dashboard_panel``: it records the audited read from the request)."""
    return selectors.dashboard_panel(request)
