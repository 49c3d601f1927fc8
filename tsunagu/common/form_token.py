"""One-time form tokens: a double click, a reload or the back button never writes twice.

Three pieces, one line each where they are used:

* ``{% load form_token %}…{% form_token %}`` inside a ``<form method="post">`` renders a
  hidden ``form_token`` with a new random token each time the page is rendered;
* ``@form_token_once`` on the view that handles the POST runs it in one transaction that
  first claims the token (:func:`claim_form_token`): the write and the claim commit
  together or not at all. A redirect (the view's success) keeps the claim and remembers
  where it led; any other answer (the form again, with errors) releases it, so the
  corrected form can be sent with the same token;
* a second submission of a claimed token runs nothing: the user is told
  「この内容は既に送信されています」 and taken to the first submission's result.

A POST without a token (an old page, another client) is handled as before.
"""

from __future__ import annotations

import datetime
import functools
import re
import secrets
from collections.abc import Callable

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone

from .models import FormSubmission

FIELD = "form_token"
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,64}")
ALREADY_SENT = (
    "この内容は既に送信されています。二重に登録しないよう、2回目の送信は受け付けていません。"
)


class AlreadySubmitted(Exception):
    """The token was claimed before; ``result_url`` is where that submission led (if any)."""

    def __init__(self, result_url: str = ""):
        super().__init__(ALREADY_SENT)
        self.result_url = result_url


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_of(request: HttpRequest) -> str | None:
    """The well-formed token the request carries, if any."""
    token = request.POST.get(FIELD, "")
    return token if TOKEN_PATTERN.fullmatch(token) else None


def claim_form_token(*, user, token: str, path: str = "") -> FormSubmission:
    """Claim ``token`` for ``user``; call it inside the transaction of the write it guards.

    Raises :class:`AlreadySubmitted` when the token was claimed before (on PostgreSQL a
    concurrent claim waits for the first transaction, then fails here).
    """
    try:
        with transaction.atomic():
            return FormSubmission.objects.create(token=token, user=user, path=path[:1000])
    except IntegrityError:
        first = FormSubmission.objects.filter(token=token).first()
        mine = first is not None and first.user_id == user.pk
        raise AlreadySubmitted(first.result_url if mine else "") from None


def already_submitted_response(request: HttpRequest, exc: AlreadySubmitted) -> HttpResponse:
    messages.warning(request, ALREADY_SENT)
    if exc.result_url:
        return HttpResponseRedirect(exc.result_url)
    return redirect("dashboard")


def form_token_once(view: Callable) -> Callable:
    """Run a POST carrying a form token at most once (see the module docstring)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        token = token_of(request) if request.method == "POST" else None
        if token is None:
            return view(request, *args, **kwargs)
        try:
            with transaction.atomic():
                submission = claim_form_token(
                    user=request.user, token=token, path=request.get_full_path()
                )
                response = view(request, *args, **kwargs)
                if isinstance(response, HttpResponseRedirect):
                    submission.result_url = response["Location"][:1000]
                    submission.save(update_fields=["result_url"])
                else:
                    submission.delete()  # the form again: nothing was written
        except AlreadySubmitted as exc:
            return already_submitted_response(request, exc)
        return response

    return wrapped


def purge(*, older_than: datetime.timedelta = datetime.timedelta(days=30)) -> int:
    """Forget claimed tokens older than ``older_than``; the number deleted."""
    cutoff = timezone.now() - older_than
    deleted, _ = FormSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
