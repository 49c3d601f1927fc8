"""Where the current request came from, so that service writes are audited with it too.

Services take no request; the middleware records the client address and the channel
("web" or "api") for the duration of each request, and ``audit_record`` reads them when a
caller gives none.

The middleware also has the request's events sealed once (:func:`defer_sealing`): a page
whose panels each record a read seals them together, after its response has been sent
(Django's ``request_finished``, when the server closes the response), so that the user does
not wait for the seal.
"""

from __future__ import annotations

import threading
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestOrigin:
    ip_address: str | None
    via: str
    #: set when an event of this request waits to be sealed at its end
    to_seal: list = field(default_factory=list, compare=False)


_origin: ContextVar[RequestOrigin | None] = ContextVar("tsunagu_request_origin", default=None)


def defer_sealing() -> bool:
    """Inside a request: note that its events are to be sealed when it ends, and answer
    True; outside one (a command, a job): False, the caller seals now."""
    origin = _origin.get()
    if origin is None:
        return False
    origin.to_seal[:] = [True]
    return True


def current_origin() -> RequestOrigin | None:
    return _origin.get()


def via_for_path(path: str) -> str:
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "web"


_sent = threading.local()  # .seal: a request of this thread has events to seal once it is sent


class RequestOriginMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        origin = RequestOrigin(
            ip_address=request.META.get("REMOTE_ADDR"), via=via_for_path(request.path)
        )
        token = _origin.set(origin)
        try:
            response = self.get_response(request)
        except BaseException:
            _origin.reset(token)
            if origin.to_seal:
                _seal()
            raise
        _origin.reset(token)
        if origin.to_seal:
            _sent.seal = True  # request_finished: seal_when_sent
        return response


def seal_when_sent(**kwargs) -> None:
    """``request_finished``: seal what a request of this thread left, now that its response
    has gone to the user (connected in ``AuditConfig.ready()``)."""
    if getattr(_sent, "seal", False):
        _sent.seal = False
        _seal()


def _seal() -> None:
    from .services import seal_after_request

    seal_after_request()
