"""Where the current request came from, so that service writes are audited with it too.

Services take no request; the middleware records the client address and the channel
("web" or "api") for the duration of each request, and ``audit_record`` reads them when a
caller gives none.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestOrigin:
    ip_address: str | None
    via: str


_origin: ContextVar[RequestOrigin | None] = ContextVar("tsunagu_request_origin", default=None)


def current_origin() -> RequestOrigin | None:
    return _origin.get()


def via_for_path(path: str) -> str:
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "web"


class RequestOriginMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _origin.set(
            RequestOrigin(
                ip_address=request.META.get("REMOTE_ADDR"), via=via_for_path(request.path)
            )
        )
        try:
            return self.get_response(request)
        finally:
            _origin.reset(token)
