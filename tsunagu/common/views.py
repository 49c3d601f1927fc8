"""View plumbing shared by every app: the decorator of the pages that show personal data, and
the one test of whether an htmx request wants a part of the page.

Which object a page may show is the selectors' business (``get_<thing>_for_user``: 404 when
not visible, 403 when visible but not writable); the decorator only says who may open the
page at all.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.views.decorators.cache import never_cache
from rules.contrib.views import permission_required


def personal_data_view(perm: str) -> Callable[[Callable], Callable]:
    """Signed in (else the sign-in page), holding ``perm`` (else 403), and never cached:
    the page shows personal data, which no browser or proxy may keep.

        @personal_data_view("cases.use")
        def case_list(request): ...
    """

    def decorator(view: Callable) -> Callable:
        return never_cache(login_required(permission_required(perm, raise_exception=True)(view)))

    return decorator


def is_partial(request: HttpRequest) -> bool:
    """Whether to answer with a fragment: an htmx request that is not a history restore (a
    restore, after the browser lost its copy of the page, needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request
