"""API authentication: the browser's session, or a bearer token issued to another system."""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from tsunagu.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    openapi_description = "管理画面で発行したAPIトークン（Authorization: Bearer tsu_…）"

    def authenticate(self, request, token):
        api_token = api_token_authenticate(token)
        if api_token is None:
            return None
        user = api_token.user
        user.acting_membership = api_token.membership
        request.user = user
        request.membership = api_token.membership
        request.memberships = [api_token.membership]
        return user


class MembershipSessionAuth(SessionAuth):
    """Session sign-in (CSRF-checked for writes) with an active membership."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user and getattr(request, "membership", None) is None:
            return None
        return user
