"""One-time form tokens: the tag, the claim and the view decorator."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.models import Area
from tsunagu.common.form_token import (
    ALREADY_SENT,
    AlreadySubmitted,
    claim_form_token,
    form_token_once,
    purge,
)
from tsunagu.common.models import FormSubmission

pytestmark = pytest.mark.django_db


def render_token() -> str:
    html = Template("{% load form_token %}{% form_token %}").render(Context())
    [token] = re.findall(r'^<input type="hidden" name="form_token" value="([^"]+)">$', html)
    return token


def post(user, data):
    request = RequestFactory().post("/areas/new", data)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


@form_token_once
def area_create(request):
    """A create view: the form again on bad input, a redirect after the write."""
    if not request.POST.get("name"):
        return HttpResponse("入力してください", status=200)
    area = Area.objects.create(code=request.POST["name"], name=request.POST["name"], kind="city")
    if request.POST.get("fail"):
        raise RuntimeError("書き込みの後で失敗")
    return redirect(f"/areas/{area.pk}")


def test_the_tag_renders_a_new_token_each_time():
    assert render_token() != render_token()
    assert len(render_token()) >= 40


def test_a_token_is_claimed_once(personas):
    user = personas["desk"].user
    token = render_token()
    claim_form_token(user=user, token=token)
    with pytest.raises(AlreadySubmitted):
        claim_form_token(user=user, token=token)


def test_the_second_post_of_a_token_writes_nothing_and_goes_to_the_first_result(personas):
    user = personas["desk"].user
    data = {"form_token": render_token(), "name": "north"}
    first = area_create(post(user, data))
    assert first.status_code == 302
    request = post(user, data)
    second = area_create(request)
    assert Area.objects.filter(code="north").count() == 1
    assert (second.status_code, second["Location"]) == (302, first["Location"])
    assert [m.message for m in get_messages(request)] == [ALREADY_SENT]
    assert "この内容は既に送信されています" in ALREADY_SENT


def test_the_form_again_releases_the_token(personas):
    user = personas["desk"].user
    token = render_token()
    assert area_create(post(user, {"form_token": token})).status_code == 200
    assert not FormSubmission.objects.exists()
    assert area_create(post(user, {"form_token": token, "name": "east"})).status_code == 302
    assert Area.objects.filter(code="east").count() == 1


def test_a_failure_rolls_back_the_write_and_the_claim(personas):
    user = personas["desk"].user
    data = {"form_token": render_token(), "name": "south", "fail": "1"}
    with pytest.raises(RuntimeError):
        area_create(post(user, data))
    assert not Area.objects.filter(code="south").exists()
    assert not FormSubmission.objects.exists()
    assert area_create(post(user, {**data, "fail": ""})).status_code == 302


def test_another_user_with_a_copied_token_is_not_sent_to_the_first_result(personas):
    data = {"form_token": render_token(), "name": "west"}
    area_create(post(personas["desk"].user, data))
    other = area_create(post(personas["officer"].user, data))
    assert other["Location"] == reverse("dashboard")
    assert Area.objects.filter(code="west").count() == 1


def test_posts_without_a_token_or_with_a_malformed_one_work_as_before(personas):
    user = personas["desk"].user
    area_create(post(user, {"name": "a"}))
    area_create(post(user, {"name": "b", "form_token": "short"}))
    assert Area.objects.filter(code__in=["a", "b"]).count() == 2
    assert not FormSubmission.objects.exists()


def test_purge_forgets_old_tokens(personas):
    user = personas["desk"].user
    claim_form_token(user=user, token=render_token())
    claim_form_token(user=user, token=render_token())
    FormSubmission.objects.filter(pk=FormSubmission.objects.first().pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    assert purge() == 1
    assert FormSubmission.objects.count() == 1


def test_every_page_loads_the_submit_once_script(login, personas):
    page = login(personas["desk"]).get(reverse("dashboard")).content.decode()
    assert "tsunagu/submit-once.js" in page
