"""``{% help_url %}``: the help page of the acting role's chapter (the index without one)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from tsunagu.accounts.acting import acting

from ..chapters import chapter_for_role

register = template.Library()


@register.simple_tag(takes_context=True)
def help_url(context) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    chapter = None
    if user is not None and user.is_authenticated:
        chapter = chapter_for_role(acting(user).role)
    if chapter is None:
        return reverse("guide:index")
    return reverse("guide:chapter", args=[chapter.slug])
