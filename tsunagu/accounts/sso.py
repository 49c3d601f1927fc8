"""庁内アカウントでのログイン: signing in with the city's directory (OIDC or LDAP/Active Directory).

Both are optional and configured by the environment (``tsunagu/settings/directory.py``,
docs/operations.md). The rules are the same for both:

- A directory account signs in as the tsunagu user with the same user ID, compared without
  regard to case (``Tanaka`` in the directory is ``tanaka`` here). Local accounts keep working.
- Roles never come from the directory. With ``TSUNAGU_SSO_CREATE_USERS`` on, a directory
  account unknown to tsunagu gets a user at its first sign-in, with no role and no local
  password (an unusable one); it sees nothing until a role grant is proposed and approved
  (四つの目). Without it, the sign-in is refused with a message to ask the administrator.
- A service account (API only) and a disabled user cannot sign in this way; with a required
  group set (``TSUNAGU_OIDC_REQUIRE_GROUP``, ``TSUNAGU_LDAP_REQUIRE_GROUP``), neither can a
  directory account outside it.
- Every sign-in, refusal and created user is in the audit trail with the way it was made
  (``method``: password, ldap or oidc) and, for a refusal, the reason.
"""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth.views import LogoutView
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from tsunagu.accounts.backends import NoModelPermissions
from tsunagu.audit.services import audit_record, client_ip
from tsunagu.settings.directory import LDAP_BACKEND, OIDC_BACKEND

from .services import user_create

logger = logging.getLogger(__name__)

FAILURE_ATTRIBUTE = "tsunagu_sign_in_failure"

# why a directory sign-in was refused, as the audit trail and the login page say it
FAILURE_REASONS = {
    "unknown_user": "つなぐに登録されていないアカウント",
    "inactive": "無効になっているアカウント",
    "service_account": "API専用のアカウント",
    "not_in_group": "つなぐの利用を認められたグループに属していない",
    "ambiguous": "同じユーザーIDの利用者が複数",
    "no_username": "ユーザーIDが渡されなかった",
    "token": "IDトークンの検証に失敗",
    "provider_unreachable": "認証基盤に接続できない",
    "provider_refused": "認証基盤が拒否",
    "state": "ログインの手続きが古いか不正",
    "directory_unreachable": "庁内ディレクトリに接続できない",
}


def note_failure(request: HttpRequest | None, method: str, reason: str, username: str = "") -> None:
    """Remember why a directory sign-in was refused, for the audit and the login page."""
    if request is not None:
        setattr(
            request,
            FAILURE_ATTRIBUTE,
            {"method": method, "reason": reason, "username": str(username)[:150]},
        )


def failure_of(request: HttpRequest | None) -> dict | None:
    return getattr(request, FAILURE_ATTRIBUTE, None) if request is not None else None


def sign_in_method(user) -> str:
    """How ``user`` just signed in, from the backend Django recorded on it."""
    backend = getattr(user, "backend", "") or ""
    if backend == OIDC_BACKEND:
        return "oidc"
    if backend == LDAP_BACKEND:
        return "ldap"
    return "password"


def exempt_from_lockout(request: HttpRequest | None, credentials: dict | None) -> bool:
    """django-axes: the OIDC callback carries no password; the provider throttles its own."""
    if request is None:
        return False
    try:
        return request.path == reverse("oidc_authentication_callback")
    except NoReverseMatch:  # no such route in this URL configuration
        return False


def _refusal(user) -> str:
    if user.is_service_account:
        return "service_account"
    if not user.is_active:
        return "inactive"
    return ""


def _created(user, *, method: str, request: HttpRequest | None) -> None:
    audit_record(
        actor=user,
        action="auth.directory_user_created",
        target=user,
        context={"method": method},
        ip_address=client_ip(request) if request is not None else None,
        via="web",
    )


# --- OIDC --------------------------------------------------------------------------------------


class DirectoryOIDCBackend(NoModelPermissions, OIDCAuthenticationBackend):
    """The authorization-code flow's last step: the code becomes a checked tsunagu user."""

    def authenticate(self, request, **kwargs):
        try:
            return super().authenticate(request, **kwargs)
        except requests.HTTPError as exc:  # it answered, and said no (a used or expired code)
            logger.warning("OIDC provider refused: %s", exc)
            note_failure(request, "oidc", "provider_refused")
        except requests.RequestException as exc:
            logger.warning("OIDC provider unreachable: %s", exc)
            note_failure(request, "oidc", "provider_unreachable")
        except (SuspiciousOperation, jwt.InvalidTokenError, ValueError, KeyError) as exc:
            logger.warning("OIDC token refused: %s", exc)
            note_failure(request, "oidc", "token")
        return None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the ID token (a userinfo answer signed as a JWT has no nonce)
            self._check_id_token(payload)
        return payload

    def _check_id_token(self, payload: dict) -> None:
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token audience is not this client")
        issuer = settings.TSUNAGU_OIDC_ISSUER
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("ID token issuer differs")
        if "exp" not in payload:
            raise SuspiciousOperation("ID token without expiry")

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            logger.warning("OIDC userinfo answers for another subject")
            note_failure(self.request, "oidc", "token")
            return None
        claims = {**payload, **userinfo}
        username = str(claims.get(settings.TSUNAGU_OIDC_USERNAME_CLAIM) or "").strip()
        if not username:
            note_failure(self.request, "oidc", "no_username")
            return None
        required = settings.TSUNAGU_OIDC_REQUIRE_GROUP
        if required:
            groups = claims.get(settings.TSUNAGU_OIDC_GROUPS_CLAIM) or []
            if required not in ([groups] if isinstance(groups, str) else groups):
                note_failure(self.request, "oidc", "not_in_group", username)
                return None
        users = list(self.UserModel.objects.filter(username__iexact=username)[:2])
        if len(users) > 1:
            note_failure(self.request, "oidc", "ambiguous", username)
            return None
        if users:
            refusal = _refusal(users[0])
            if refusal:
                note_failure(self.request, "oidc", refusal, username)
                return None
            return self.update_user(users[0], claims)
        if not settings.OIDC_CREATE_USER:
            note_failure(self.request, "oidc", "unknown_user", username)
            return None
        return self.create_user(claims | {"_username": username})

    def create_user(self, claims):
        with transaction.atomic():
            user = user_create(
                username=claims["_username"][:150],
                password=None,  # signs in through the provider only
                display_name=str(claims.get("name") or "")[:100],
                email=str(claims.get("email") or "")[:254],
                by=None,
            )
            _created(user, method="oidc", request=self.request)
        return user

    def update_user(self, user, claims):
        """The display name and e-mail follow the directory; nothing else does."""
        changed = []
        for field, claim, limit in (("display_name", "name", 100), ("email", "email", 254)):
            value = str(claims.get(claim) or "")[:limit]
            if value and getattr(user, field) != value:
                setattr(user, field, value)
                changed.append(field)
        if changed:
            user.save(update_fields=changed)
        return user


class DirectoryAuthenticateView(OIDCAuthenticationRequestView):
    """「庁内アカウントでログイン」: off (404) unless OIDC is configured."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.TSUNAGU_OIDC_ENABLED:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class DirectoryCallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here; a refusal returns to the login page."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.TSUNAGU_OIDC_ENABLED:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        if request.GET.get("error"):
            self._refused(request, "provider_refused", str(request.GET["error"])[:100])
        elif "code" in request.GET and request.GET.get("state") not in (
            request.session.get("oidc_states") or {}
        ):
            # a stale tab, the back button, or a forged answer: start again, never a 400 page
            self._refused(request, "state")
            return self.login_failure()
        return super().get(request)

    @staticmethod
    def _refused(request, reason: str, detail: str = "") -> None:
        note_failure(request, "oidc", reason)
        context = {"method": "oidc", "reason": reason}
        if detail:
            context["detail"] = detail
        audit_record(
            actor=None,
            action="auth.login_failed",
            context=context,
            ip_address=client_ip(request),
            via="web",
        )

    def login_failure(self):
        failure = failure_of(self.request) or {}
        reason = failure.get("reason", "")
        url = self.failure_url
        if reason in FAILURE_REASONS:
            url = f"{url}&reason={reason}"
        return HttpResponseRedirect(url)


class DirectoryLogoutView(LogoutView):
    """「ログアウト」: after a sign-in through the provider, its session ends too, when the
    provider's end_session_endpoint is configured (RP-initiated logout); the provider sends the
    browser back to the login page."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        endpoint = settings.TSUNAGU_OIDC_LOGOUT_ENDPOINT
        if settings.TSUNAGU_OIDC_ENABLED and endpoint and id_token:
            query = urlencode(
                {
                    "id_token_hint": id_token,
                    "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
                    "client_id": settings.OIDC_RP_CLIENT_ID,
                }
            )
            return HttpResponseRedirect(f"{endpoint}?{query}")
        return response


# --- LDAP / Active Directory ---------------------------------------------------------------------

try:
    from django_auth_ldap.backend import LDAPBackend, ldap_error
except ImportError:  # the ``ldap`` extra is not installed: LDAP sign-in is unavailable
    LDAPBackend = None
    ldap_error = None


if LDAPBackend is not None:

    class DirectoryLDAPBackend(LDAPBackend):
        """The login form's user ID and password, checked by binding to the directory."""

        def get_or_build_user(self, username, ldap_user):
            required = getattr(settings, "TSUNAGU_LDAP_REQUIRE_GROUP", "")
            if required and required.lower() not in {dn.lower() for dn in ldap_user.group_dns}:
                note_failure(ldap_user._request, "ldap", "not_in_group", username)
                raise ldap_user.AuthenticationFailed("not a member of the required group")
            user, built = super().get_or_build_user(username, ldap_user)
            if not built and user.is_service_account:
                note_failure(ldap_user._request, "ldap", "service_account", username)
                raise ldap_user.AuthenticationFailed("service accounts sign in with a token")
            if built and self.settings.NO_NEW_USERS:  # the library refuses it next
                note_failure(ldap_user._request, "ldap", "unknown_user", username)
            ldap_user.tsunagu_built = built
            return user, built

        def authenticate_ldap_user(self, ldap_user, password):
            user = super().authenticate_ldap_user(ldap_user, password)
            if user is not None and getattr(ldap_user, "tsunagu_built", False):
                _created(user, method="ldap", request=ldap_user._request)
            return user

    def _on_ldap_error(sender, context, user, request, exception, **kwargs):
        logger.warning("directory unreachable (%s): %s", context, exception)
        note_failure(request, "ldap", "directory_unreachable")

    ldap_error.connect(_on_ldap_error, dispatch_uid="tsunagu.accounts.sso.ldap_error")
