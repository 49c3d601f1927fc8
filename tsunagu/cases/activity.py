"""Placeholder: filled by the activity feature."""

from __future__ import annotations


def case_panel(request, case) -> dict:
    """Context for the case page's activity section."""
    return {}


def dashboard_panel(request) -> dict:
    """Context for the dashboard's activity panel."""
    return {}
