"""The permission check at the start of an operation (model-free: every app's router uses it)."""

from django.core.exceptions import PermissionDenied

from .errors import FORBIDDEN


def require_perm(request, perm: str, obj=None) -> None:
    """403 ``{"detail": "この操作を行う権限がありません。"}`` unless the user has ``perm``
    (on ``obj``). An object the user may not see is looked up first and answers 404."""
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(FORBIDDEN)
