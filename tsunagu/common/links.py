"""Reversing URL names with a cache of each name's shape.

Django's ``reverse`` costs 20–60 µs a call (the resolver's candidates for the name, the
converters, quoting, the script prefix). A list page links each of its rows (the person,
the household, the case …), so it reversed 70 names per request: a few milliseconds of a
page that should take twenty.

:func:`cached_reverse` reverses each name once per shape — the name with numbered
placeholders for its arguments — and fills in the numbers after that. Only non-negative
integers are filled in (``<int:…>`` converters take them all); any other argument, a name
whose shape does not hold each placeholder exactly once, keyword arguments and names that
do not reverse go through ``reverse`` itself. The shapes are kept per URLconf, script
prefix and current application, and forgotten when the settings change (tests).
"""

from __future__ import annotations

from django.core.signals import setting_changed
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# placeholders of the same width, none a part of another
_PLACEHOLDERS = tuple(9_137_000_001 + n for n in range(8))
_MISSING = object()
_shapes: dict[tuple, str | None] = {}


def cached_reverse(view_name: str, args=(), current_app: str | None = None) -> str:
    """``reverse(view_name, args=args, current_app=current_app)``, from the name's cached
    shape when every argument is a non-negative integer."""
    args = tuple(args)
    if len(args) > len(_PLACEHOLDERS) or any(type(a) is not int or a < 0 for a in args):
        return reverse(view_name, args=args, current_app=current_app)
    key = (view_name, len(args), current_app, get_urlconf(), get_script_prefix())
    shape = _shapes.get(key, _MISSING)
    if shape is _MISSING:
        shape = _shape_of(view_name, len(args), current_app)
        _shapes[key] = shape
    if shape is None:
        return reverse(view_name, args=args, current_app=current_app)
    for placeholder, value in zip(_PLACEHOLDERS, args, strict=False):
        shape = shape.replace(str(placeholder), str(value))
    return shape


def _shape_of(view_name: str, count: int, current_app: str | None) -> str | None:
    placeholders = _PLACEHOLDERS[:count]
    try:
        shape = reverse(view_name, args=placeholders, current_app=current_app)
    except NoReverseMatch:
        return None
    if any(shape.count(str(p)) != 1 for p in placeholders):
        return None
    return shape


def forget_shapes(**_kwargs) -> None:
    _shapes.clear()


setting_changed.connect(forget_shapes, dispatch_uid="tsunagu-links-forget-shapes")
