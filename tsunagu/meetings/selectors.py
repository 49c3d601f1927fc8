"""Reads of meetings."""

from __future__ import annotations


def case_panel(request, case) -> dict:
    """Context for the case page's meetings section (agenda items about the case)."""
    return {}


def dashboard_panel(request) -> dict:
    """Context for the dashboard's meetings panel."""
    return {}
