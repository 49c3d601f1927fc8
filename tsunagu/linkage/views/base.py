"""What every 名寄せ screen shares: who may open it, the page size, and a service's errors
shown on the form."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.views.decorators.cache import never_cache
from rules.contrib.views import permission_required

PAGE_SIZE = 25


def linkage_page(view):
    """Signed in, a reviewer (program office or coordinator), never cached."""

    @wraps(view)
    @never_cache
    @login_required
    @permission_required("linkage.review", raise_exception=True)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    return wrapped


def add_service_errors(form, exc: ValidationError, field_map: dict[str, str]) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = field_map.get(name, name)
            target = target if target in form.fields else None
            for error in errors:
                form.add_error(target, error.messages)
    else:
        form.add_error(None, exc.messages)
    form.mark_invalid()
