"""Idle browser sessions are signed out; answers carrying personal data are never cached."""

from __future__ import annotations

from urllib.parse import urlencode

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

LAST_ACTIVITY_KEY = "tsunagu_last_activity"
# The time of the last request is written to the session at most this often (seconds), so
# that a page with many htmx requests does not write the session on each of them.
ACTIVITY_RESOLUTION = 60
IDLE_MESSAGE = "一定時間操作がなかったため、ログアウトしました。"
API_PREFIX = "/api/"


def idle_limit_seconds() -> int:
    return int(getattr(settings, "SESSION_IDLE_MINUTES", 30)) * 60


class IdleTimeoutMiddleware:
    """Sign out a browser whose session has seen no request for ``SESSION_IDLE_MINUTES``.

    The next request after the pause is answered with the login page (an htmx request: the
    whole page goes there through ``HX-Redirect``), which shows why. An API request carrying
    the idle session simply finds itself signed out (401). Bearer tokens have no session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = idle_limit_seconds()
        user = getattr(request, "user", None)
        if limit > 0 and user is not None and user.is_authenticated:
            now = int(timezone.now().timestamp())
            last = request.session.get(LAST_ACTIVITY_KEY)
            if isinstance(last, int) and now - last > limit:
                answer = self._sign_out(request)
                if answer is not None:
                    return answer
            elif not isinstance(last, int) or now - last >= ACTIVITY_RESOLUTION:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)

    def _sign_out(self, request) -> HttpResponse | None:
        request.tsunagu_signed_out_idle = True  # read by the audit of the sign-out
        logout(request)
        if request.path.startswith(API_PREFIX):
            return None  # the API answers an anonymous request itself
        messages.info(request, IDLE_MESSAGE)
        login_url = resolve_url(settings.LOGIN_URL)
        if request.headers.get("HX-Request") == "true":
            answer = HttpResponse(status=204)
            answer["HX-Redirect"] = login_url
            return answer
        if request.method == "GET":
            login_url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(login_url)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every API answer and every page for a signed-in user.

    Browsers and proxies then keep no copy of personal data (the back button after signing
    out shows nothing). Static files are answered before this layer and keep their caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith(API_PREFIX) or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response


SECOND_FACTOR_ROLES = frozenset({"municipal_officer", "admin"})
SECOND_FACTOR_MESSAGE = "二段階認証が必要です。認証アプリの確認コードを入力してください。"


def second_factor_required(request) -> bool:
    """Whether the signed-in user of ``request`` must confirm a code before working."""
    if not getattr(settings, "REQUIRE_2FA", False):
        return False
    memberships = getattr(request, "memberships", None) or []
    return any(m.role in SECOND_FACTOR_ROLES for m in memberships)


class SecondFactorMiddleware:
    """With ``REQUIRE_2FA``, the office and administrators reach nothing but the code page,
    the sign-out and static files until the session is confirmed with a code (TOTP)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not _is_verified(user)
            and second_factor_required(request)
            and not _exempt(request.path)
        ):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _refuse(request) -> HttpResponse:
        from django.http import JsonResponse
        from django.urls import reverse

        if request.path.startswith(API_PREFIX):
            return JsonResponse({"detail": SECOND_FACTOR_MESSAGE}, status=403)
        url = reverse("accounts:two_factor")
        if request.headers.get("HX-Request") == "true":
            answer = HttpResponse(status=204)
            answer["HX-Redirect"] = url
            return answer
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(url)


def _is_verified(user) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


def _exempt(path: str) -> bool:
    from django.urls import reverse

    static = (
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
    )
    allowed = (reverse("accounts:two_factor"), reverse("logout"), static)
    return any(path.startswith(prefix) for prefix in allowed)


class PageCSPMiddleware(CSPMiddleware):
    """The Content-Security-Policy on every answer except a PDF: a browser shows a PDF in its
    own viewer, which runs inside the document and may be blocked by the page policy."""

    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith("application/pdf"):
            response._csp_exempt = True
        return super().process_response(request, response)
