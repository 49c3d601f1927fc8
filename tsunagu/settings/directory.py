"""Settings for signing in with the city's directory (庁内アカウント), read from the environment.

Two optional ways, each off until its variables are set (docs/operations.md 「庁内アカウント」):

- **OIDC** (`TSUNAGU_OIDC_*`): an identity provider such as Keycloak, Microsoft Entra ID or
  AD FS. The login page shows a 「庁内アカウントでログイン」 button; mozilla-django-oidc does the
  authorization-code flow with PKCE, and the ID token's signature, nonce, audience, issuer and
  expiry are checked.
- **LDAP / Active Directory** (`TSUNAGU_LDAP_*`): the ordinary login form checks the user ID and
  password against the directory (django-auth-ldap; install tsunagu with the ``ldap`` extra).

This module only turns variables into Django settings; it imports nothing from Django apps so
that ``settings/base.py`` can use it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

OIDC_BACKEND = "tsunagu.accounts.sso.DirectoryOIDCBackend"
LDAP_BACKEND = "tsunagu.accounts.sso.DirectoryLDAPBackend"

_OIDC_REQUIRED = (
    "TSUNAGU_OIDC_CLIENT_ID",
    "TSUNAGU_OIDC_AUTHORIZATION_ENDPOINT",
    "TSUNAGU_OIDC_TOKEN_ENDPOINT",
    "TSUNAGU_OIDC_USERINFO_ENDPOINT",
    "TSUNAGU_OIDC_JWKS_ENDPOINT",
)


class DirectoryConfigurationError(RuntimeError):
    pass


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _verify(environ: Mapping[str, str], name: str) -> bool | str:
    """TLS verification of the provider: on, off (a test rig only) or a CA bundle's path."""
    value = environ.get(name, "").strip()
    if value == "" or value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    return value


def oidc_settings(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """The OIDC_* settings; ``TSUNAGU_OIDC_ENABLED`` is False unless the provider is named."""
    enabled = bool(environ.get("TSUNAGU_OIDC_CLIENT_ID", "").strip())
    if enabled:
        missing = [name for name in _OIDC_REQUIRED if not environ.get(name, "").strip()]
        if missing:
            raise DirectoryConfigurationError(
                "庁内アカウント（OIDC）の設定が足りません: " + ", ".join(missing)
            )
    return {
        "TSUNAGU_OIDC_ENABLED": enabled,
        # the login page's button: 「<label>でログイン」
        "TSUNAGU_OIDC_LABEL": environ.get("TSUNAGU_OIDC_LABEL", "").strip() or "庁内アカウント",
        # the claim holding the user ID that matches a tsunagu user (AD: upn or samaccountname)
        "TSUNAGU_OIDC_USERNAME_CLAIM": (
            environ.get("TSUNAGU_OIDC_USERNAME_CLAIM", "").strip() or "preferred_username"
        ),
        # when set, only accounts whose groups claim holds this group may sign in
        "TSUNAGU_OIDC_REQUIRE_GROUP": environ.get("TSUNAGU_OIDC_REQUIRE_GROUP", "").strip(),
        "TSUNAGU_OIDC_GROUPS_CLAIM": (
            environ.get("TSUNAGU_OIDC_GROUPS_CLAIM", "").strip() or "groups"
        ),
        # the provider's issuer; when set, the ID token's "iss" must equal it
        "TSUNAGU_OIDC_ISSUER": environ.get("TSUNAGU_OIDC_ISSUER", "").strip(),
        # the provider's end_session_endpoint: when set, signing out of tsunagu also ends the
        # provider's session (on a shared counter terminal the next person must sign in anew)
        "TSUNAGU_OIDC_LOGOUT_ENDPOINT": environ.get("TSUNAGU_OIDC_LOGOUT_ENDPOINT", "").strip(),
        "OIDC_STORE_ID_TOKEN": bool(environ.get("TSUNAGU_OIDC_LOGOUT_ENDPOINT", "").strip()),
        "OIDC_RP_CLIENT_ID": environ.get("TSUNAGU_OIDC_CLIENT_ID", "").strip(),
        "OIDC_RP_CLIENT_SECRET": environ.get("TSUNAGU_OIDC_CLIENT_SECRET", ""),
        "OIDC_OP_AUTHORIZATION_ENDPOINT": environ.get(
            "TSUNAGU_OIDC_AUTHORIZATION_ENDPOINT", ""
        ).strip(),
        "OIDC_OP_TOKEN_ENDPOINT": environ.get("TSUNAGU_OIDC_TOKEN_ENDPOINT", "").strip(),
        "OIDC_OP_USER_ENDPOINT": environ.get("TSUNAGU_OIDC_USERINFO_ENDPOINT", "").strip(),
        "OIDC_OP_JWKS_ENDPOINT": environ.get("TSUNAGU_OIDC_JWKS_ENDPOINT", "").strip() or None,
        "OIDC_RP_SIGN_ALGO": environ.get("TSUNAGU_OIDC_SIGN_ALGO", "").strip() or "RS256",
        "OIDC_RP_SCOPES": environ.get("TSUNAGU_OIDC_SCOPES", "").strip() or "openid profile email",
        "OIDC_VERIFY_SSL": _verify(environ, "TSUNAGU_OIDC_VERIFY_TLS"),
        "OIDC_TIMEOUT": 10,
        "OIDC_USE_PKCE": True,
        "OIDC_CREATE_USER": _flag(environ, "TSUNAGU_SSO_CREATE_USERS", False),
        "LOGIN_REDIRECT_URL_FAILURE": "/login/?sso=failed",
    }


def ldap_settings(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """The AUTH_LDAP_* settings; ``TSUNAGU_LDAP_ENABLED`` is False unless a server is named."""
    uri = environ.get("TSUNAGU_LDAP_SERVER_URI", "").strip()
    if not uri:
        return {"TSUNAGU_LDAP_ENABLED": False}
    try:
        import ldap
        from django_auth_ldap.config import LDAPSearch
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise DirectoryConfigurationError(
            "TSUNAGU_LDAP_SERVER_URI が設定されていますが、LDAP のライブラリがありません。"
            "tsunagu を ldap を付けてインストールしてください（pip install 'tsunagu[ldap]'）。"
        ) from exc
    template = environ.get("TSUNAGU_LDAP_USER_DN_TEMPLATE", "").strip()
    base = environ.get("TSUNAGU_LDAP_USER_SEARCH_BASE", "").strip()
    if not template and not base:
        raise DirectoryConfigurationError(
            "TSUNAGU_LDAP_USER_DN_TEMPLATE か TSUNAGU_LDAP_USER_SEARCH_BASE の"
            "どちらかを設定してください。"
        )
    user_filter = environ.get("TSUNAGU_LDAP_USER_FILTER", "").strip() or "(uid=%(user)s)"
    result: dict[str, Any] = {
        "TSUNAGU_LDAP_ENABLED": True,
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_BIND_DN": environ.get("TSUNAGU_LDAP_BIND_DN", "").strip(),
        "AUTH_LDAP_BIND_PASSWORD": environ.get("TSUNAGU_LDAP_BIND_PASSWORD", ""),
        "AUTH_LDAP_START_TLS": _flag(environ, "TSUNAGU_LDAP_START_TLS", False),
        "AUTH_LDAP_NO_NEW_USERS": not _flag(environ, "TSUNAGU_SSO_CREATE_USERS", False),
        # the display name and e-mail follow the directory at every sign-in; roles never do
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_USER_ATTR_MAP": {
            "display_name": environ.get("TSUNAGU_LDAP_ATTR_DISPLAY_NAME", "").strip()
            or "displayName",
            "email": environ.get("TSUNAGU_LDAP_ATTR_EMAIL", "").strip() or "mail",
        },
        "AUTH_LDAP_CONNECTION_OPTIONS": {
            ldap.OPT_NETWORK_TIMEOUT: 5,
            ldap.OPT_TIMEOUT: 10,
            ldap.OPT_REFERRALS: 0,  # Active Directory answers with referrals otherwise
        },
    }
    ca_file = environ.get("TSUNAGU_LDAP_CA_FILE", "").strip()
    if ca_file:
        result["AUTH_LDAP_CONNECTION_OPTIONS"][ldap.OPT_X_TLS_CACERTFILE] = ca_file
        result["AUTH_LDAP_CONNECTION_OPTIONS"][ldap.OPT_X_TLS_NEWCTX] = 0
    # when set, only members of this group (its DN) may sign in; Active Directory's nested
    # groups count when TSUNAGU_LDAP_GROUP_TYPE is activeDirectory
    required_group = environ.get("TSUNAGU_LDAP_REQUIRE_GROUP", "").strip()
    result["TSUNAGU_LDAP_REQUIRE_GROUP"] = required_group
    if required_group:
        from django_auth_ldap.config import GroupOfNamesType, NestedActiveDirectoryGroupType

        group_base = environ.get("TSUNAGU_LDAP_GROUP_SEARCH_BASE", "").strip()
        if not group_base:
            raise DirectoryConfigurationError(
                "TSUNAGU_LDAP_REQUIRE_GROUP には TSUNAGU_LDAP_GROUP_SEARCH_BASE も必要です。"
            )
        kind = environ.get("TSUNAGU_LDAP_GROUP_TYPE", "").strip() or "groupOfNames"
        if kind == "activeDirectory":
            result["AUTH_LDAP_GROUP_TYPE"] = NestedActiveDirectoryGroupType()
            group_filter = "(objectClass=group)"
        elif kind == "groupOfNames":
            result["AUTH_LDAP_GROUP_TYPE"] = GroupOfNamesType()
            group_filter = "(objectClass=groupOfNames)"
        else:
            raise DirectoryConfigurationError(
                "TSUNAGU_LDAP_GROUP_TYPE は groupOfNames か activeDirectory です。"
            )
        result["AUTH_LDAP_GROUP_SEARCH"] = LDAPSearch(group_base, ldap.SCOPE_SUBTREE, group_filter)
    if template:
        result["AUTH_LDAP_USER_DN_TEMPLATE"] = template
    else:
        result["AUTH_LDAP_USER_SEARCH"] = LDAPSearch(base, ldap.SCOPE_SUBTREE, user_filter)
    return result


def form_action(oidc: Mapping[str, Any]) -> list[str]:
    """The Content-Security-Policy's form-action: this server, and the provider's logout
    endpoint when signing out is sent there (a browser checks where a form's answer
    redirects, and 「ログアウト」 is a form)."""
    sources = ["'self'"]
    endpoint = oidc.get("TSUNAGU_OIDC_LOGOUT_ENDPOINT")
    if oidc.get("TSUNAGU_OIDC_ENABLED") and endpoint:
        parts = urlsplit(endpoint)
        sources.append(f"{parts.scheme}://{parts.netloc}")
    return sources


def backends(oidc: Mapping[str, Any], ldap_: Mapping[str, Any]) -> list[str]:
    """The directory backends to put before Django's own password check."""
    chosen = []
    if ldap_.get("TSUNAGU_LDAP_ENABLED"):
        chosen.append(LDAP_BACKEND)
    if oidc.get("TSUNAGU_OIDC_ENABLED"):
        chosen.append(OIDC_BACKEND)
    return chosen
