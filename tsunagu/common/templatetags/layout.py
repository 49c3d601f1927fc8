"""Layout filters that keep pages free of inline styles (the Content-Security-Policy allows none).

``{{ value|bar_width }}`` names the class that sets a progress bar's width: ``pct-0`` … ``pct-100``
(tsunagu.css), the value clamped to 0–100 and rounded down.
"""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def bar_width(value) -> str:
    try:
        percent = int(float(value))
    except (TypeError, ValueError):
        percent = 0
    return f"pct-{min(100, max(0, percent))}"
