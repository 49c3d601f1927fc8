"""``cached_reverse`` and the ``{% url %}`` tag built on it give what Django's ``reverse``
gives, for every URL name of the project."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, Template
from django.test import override_settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from tsunagu.common.links import cached_reverse


def _names(resolver=None, namespace=""):
    """(name, number of path arguments, whether they are all integers) of every pattern."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            outer = list(entry.pattern.converters.values())
            for name, converters in _names(entry, inner):
                yield name, outer + converters
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", list(entry.pattern.converters.values())


NAMES = sorted({(name, tuple(type(c).__name__ for c in convs)) for name, convs in _names()})
INT_NAMES = [name for name, kinds in NAMES if kinds and set(kinds) == {"IntConverter"}]


def test_the_project_has_names_with_integer_arguments():
    assert len(INT_NAMES) > 100  # the pages of persons, cases, meetings …


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(INT_NAMES),
    st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=4),
)
def test_every_name_with_integers_reverses_as_django(name, values):
    count = next(len(kinds) for n, kinds in NAMES if n == name)
    args = (values * count)[:count]
    assert cached_reverse(name, args) == reverse(name, args=args)
    assert cached_reverse(name, args) == reverse(name, args=args)  # from the cached shape


def test_names_without_arguments_and_other_arguments_reverse_as_django():
    for name, kinds in NAMES:
        if kinds:
            continue
        try:
            expected = reverse(name)
        except NoReverseMatch:  # a pattern of the admin site with groups of its own
            with pytest.raises(NoReverseMatch):
                cached_reverse(name)
        else:
            assert cached_reverse(name) == expected
    assert cached_reverse("guide:chapter", ["monitoring"]) == reverse(
        "guide:chapter", args=["monitoring"]
    )
    assert cached_reverse("people:person_detail", ["12"]) == reverse(
        "people:person_detail", args=["12"]
    )


def test_what_does_not_reverse_still_does_not():
    with pytest.raises(NoReverseMatch):
        cached_reverse("people:person_detail", [-1])
    with pytest.raises(NoReverseMatch):
        cached_reverse("people:person_detail", [1, 2])
    with pytest.raises(NoReverseMatch):
        cached_reverse("people:no_such_page", [1])


def test_a_script_prefix_is_kept_apart(settings):
    from django.urls import set_script_prefix

    plain = cached_reverse("people:person_detail", [7])
    set_script_prefix("/tsunagu/")
    try:
        assert cached_reverse("people:person_detail", [7]) == "/tsunagu" + plain
    finally:
        set_script_prefix("/")
    assert cached_reverse("people:person_detail", [7]) == plain


def _render(source: str, **context) -> str:
    engine = Engine.get_default()
    return Template(source, engine=engine).render(Context(context))


def test_the_url_tag_of_every_template_is_the_cached_one():
    assert _render("{% url 'people:person_detail' pk %}", pk=42) == reverse(
        "people:person_detail", args=[42]
    )
    assert _render("{% url 'people:person_detail' pk=pk %}", pk=42) == reverse(
        "people:person_detail", kwargs={"pk": 42}
    )
    assert _render("{% url 'people:person_list' %}?q=1") == reverse("people:person_list") + "?q=1"
    assert _render("{% url 'nowhere' 1 as link %}[{{ link }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        _render("{% url 'nowhere' 1 %}")
    assert _render("{% url 'guide:chapter' slug %}", slug="a&b") == reverse(
        "guide:chapter", args=["a&b"]
    ).replace("&", "&amp;")


@override_settings(ROOT_URLCONF="tsunagu.common.tests.other_urls")
def test_another_urlconf_is_not_answered_from_the_shapes_of_the_first():
    assert cached_reverse("other", [3]) == "/elsewhere/3/"
