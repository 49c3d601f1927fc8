"""The widget registry: registered once, run in order, no two on one order."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from tsunagu.dashboard import widgets as registry


@pytest.fixture
def empty(monkeypatch):
    monkeypatch.setattr(registry, "_widgets", [])


def first(user, *, request):
    return {"first": user}


def second(user, *, request):
    return {"second": user}


def test_widgets_run_in_their_order_not_the_order_registered(empty):
    registry.register_widget(second, order=20)
    registry.register_widget(first, order=10)
    assert registry.widgets() == [first, second]


def test_registering_a_widget_again_changes_nothing(empty):
    assert registry.register_widget(first, order=10) is first
    registry.register_widget(first, order=10)
    registry.register_widget(first, order=30)
    assert registry.widgets() == [first]


def test_two_widgets_may_not_share_an_order(empty):
    registry.register_widget(first, order=10)
    with pytest.raises(ImproperlyConfigured, match="first"):
        registry.register_widget(second, order=10)
