"""Screens of the community side: activities."""

from __future__ import annotations

#: this topic's URL patterns, gathered by tsunagu/community/urls.py
urls: list = []
