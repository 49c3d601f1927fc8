"""``{% url %}`` through :func:`tsunagu.common.links.cached_reverse` (a builtin of the
template engine, so it takes the place of Django's own tag in every template).

It is written and behaves as Django's: positional or keyword arguments, ``as var`` (which
leaves the variable empty when the name does not reverse), the current application of the
request, escaping. Only its positional integer arguments take the cached path.
"""

from __future__ import annotations

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, reverse
from django.utils.encoding import smart_str
from django.utils.html import conditional_escape

from tsunagu.common.links import cached_reverse

register = template.Library()


class CachedURLNode(URLNode):
    def render(self, context):
        view_name = self.view_name.resolve(context)
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {smart_str(k, "ascii"): v.resolve(context) for k, v in self.kwargs.items()}
        current_app = _current_app(context)
        try:
            if kwargs:
                url = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
            else:
                url = cached_reverse(view_name, args, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


def _current_app(context) -> str | None:
    request = getattr(context, "request", None)
    if request is None:
        return None
    current_app = getattr(request, "current_app", None)
    if current_app is not None:
        return current_app
    match = getattr(request, "resolver_match", None)
    return match.namespace if match is not None else None


@register.tag
def url(parser, token):
    node = django_url(parser, token)  # Django's parsing of the tag's arguments
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
