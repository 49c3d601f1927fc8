"""Support plans on the case page (filled by the plan feature)."""

from __future__ import annotations


def case_panel(request, case) -> dict:
    return {}
