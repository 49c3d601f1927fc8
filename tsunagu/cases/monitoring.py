"""Placeholder: filled by the monitoring feature."""

from __future__ import annotations


def case_panel(request, case) -> dict:
    """Context for the case page's monitoring section."""
    return {}


def dashboard_panel(request) -> dict:
    """Context for the dashboard's monitoring panel."""
    return {}
