"""The shared view plumbing: ``personal_data_view(perm)`` and ``is_partial(request)``."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxMiddleware

from tsunagu.common.views import is_partial, personal_data_view


@personal_data_view("cases.use")
def page(request):
    return HttpResponse("personal data")


def request_as(user, **headers):
    request = RequestFactory().get("/somewhere/", headers=headers)
    request.user = user
    HtmxMiddleware(lambda r: None)(request)
    return request


@pytest.mark.django_db
def test_a_signed_in_user_with_the_permission_gets_an_uncached_page(personas):
    response = page(request_as(personas["coordinator"].user))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert page.__name__ == "page"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["guest", "admin"])
def test_without_the_permission_it_is_403(personas, who):
    with pytest.raises(PermissionDenied):
        page(request_as(personas[who].user))


def test_anonymous_is_sent_to_sign_in():
    response = page(request_as(AnonymousUser()))
    assert response.status_code == 302
    assert "next=/somewhere/" in response["Location"]


@pytest.mark.parametrize(
    ("headers", "partial"),
    [
        ({}, False),
        ({"HX-Request": "true"}, True),
        ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, False),
    ],
)
def test_is_partial_only_for_htmx_requests_that_restore_no_history(headers, partial):
    assert is_partial(request_as(AnonymousUser(), **headers)) is partial
