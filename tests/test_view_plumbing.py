"""Views share one plumbing (tsunagu/common/views.py) and one getter per model (each app's
selectors: ``get_<thing>_for_user``), so that who may open a page, what answers 404 and what
403 is decided in one place.

The API modules (``*/api.py``, ``*/api/*.py``, ``*/*_api.py``) read their objects through
the same getters.

The test fails when a views or API module grows its own copy again: an ``_x_or_404``
wrapper (or ``_or_403``) around a selector; and when a views module grows a decorator of
its own (a function taking ``view``) or a ``never_cache`` of its own instead of
``personal_data_view(perm)``, or its own htmx partial check instead of
``is_partial(request)``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "tsunagu"
PLUMBING = PACKAGE / "common" / "views.py"


def view_modules() -> list[Path]:
    found = set(PACKAGE.glob("*/views.py")) | set(PACKAGE.glob("*/views/*.py"))
    found |= set(PACKAGE.glob("*/*_views.py"))
    return sorted(p for p in found if p != PLUMBING)


def rel(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def api_modules() -> list[Path]:
    found = set(PACKAGE.glob("*/api.py")) | set(PACKAGE.glob("*/api/*.py"))
    found |= set(PACKAGE.glob("*/*_api.py"))
    return sorted(found)


MODULES = view_modules()
API_MODULES = api_modules()


def test_the_view_modules_are_found():
    names = {rel(p) for p in MODULES}
    assert "tsunagu/cases/views/case.py" in names
    assert "tsunagu/consultations/views.py" in names
    assert "tsunagu/meetings/summary_views.py" in names
    assert "tsunagu/linkage/views/review.py" in names


def test_the_api_modules_are_found():
    names = {rel(p) for p in API_MODULES}
    assert "tsunagu/cases/api/case.py" in names
    assert "tsunagu/consultations/api.py" in names
    assert "tsunagu/meetings/summary_api.py" in names
    assert "tsunagu/linkage/api/imports.py" in names


@pytest.mark.parametrize("path", MODULES + API_MODULES, ids=rel)
def test_no_getter_wrapper_in_a_view_or_api_module(path):
    """Objects come from the app's ``get_<thing>_for_user`` (404 / 403 decided there)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    wrappers = [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and re.search(r"_or_40[34]$", node.name)
    ]
    assert not wrappers, f"{rel(path)}: use the selectors' get_<thing>_for_user: {wrappers}"


@pytest.mark.parametrize("path", MODULES, ids=rel)
def test_no_view_decorator_of_its_own(path):
    """Pages are decorated with ``personal_data_view(perm)``, not a local copy of it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    decorators = [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and [a.arg for a in node.args.args][:1] in (["view"], ["view_func"], ["func"])
    ]
    assert not decorators, f"{rel(path)}: use tsunagu.common.views: {decorators}"
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert "never_cache" not in names, f"{rel(path)}: use personal_data_view(perm)"


@pytest.mark.parametrize("path", MODULES, ids=rel)
def test_no_htmx_partial_check_of_its_own(path):
    text = path.read_text(encoding="utf-8")
    assert "history_restore_request" not in text, f"{rel(path)}: use is_partial(request)"
    assert "request.htmx else" not in text, f"{rel(path)}: use is_partial(request)"


# --- the list pages answer a history restore with the whole page ---------------------------

RESTORE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/cases/",
        "/consultations/",
        "/referrals/",
        "/meetings/",
        "/persons/",
        "/agencies/",
    ],
)
def test_list_pages_answer_htmx_with_rows_and_a_history_restore_with_the_page(login, personas, url):
    client = login(personas["officer"])
    rows = client.get(url, {"q": "x"}, HTTP_HX_REQUEST="true")
    assert rows.status_code == 200
    assert "<html" not in rows.content.decode()
    restored = client.get(url, {"q": "x"}, **RESTORE)
    assert restored.status_code == 200
    assert "<html" in restored.content.decode()
