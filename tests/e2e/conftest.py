"""Browser tests in real Chromium against the live test server, seeded with the demo city."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Request, Response, Route, expect

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# inside one unless told that the calls are safe (they are: the ORM is used synchronously).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "test-artifacts" / "screenshots"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
ASSET_TYPES = frozenset({"stylesheet", "script", "image", "font", "media"})
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, a test database in a file, as in production.

    Django gives an in-memory SQLite test database one connection that every thread of the
    live server shares; two requests at once (a form posted while its htmx check is still
    answering) then interleave their savepoints on it. With a file each thread opens its own
    connection, as the production server does.
    """
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        path = tmp_path_factory.mktemp("e2e-db") / "tsunagu-e2e.sqlite3"
        db.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, with every background connection to Google switched off."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A workstation in a Japanese city office."""
    return {
        **browser_context_args,
        "locale": "ja-JP",
        "timezone_id": "Asia/Tokyo",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture
def offsite_requests(context: BrowserContext) -> Iterator[list[str]]:
    """Requests of any page in the context that left the live server (aborted and listed).

    The system runs on closed municipal networks (LGWAN): every asset must be served by the
    application itself, never by a CDN or any other outside host.
    """
    blocked: list[str] = []

    def handle(route: Route, request: Request) -> None:
        url = urlsplit(request.url)
        if url.scheme in {"http", "https", "ws", "wss"} and url.hostname not in LOCAL_HOSTS:
            blocked.append(f"{request.method} {request.url}")
            route.abort("blockedbyclient")
        else:
            route.continue_()

    context.route("**/*", handle)
    yield blocked
    assert blocked == [], "the browser requested hosts other than the live server"


@pytest.fixture
def page_errors(context: BrowserContext) -> Iterator[list[str]]:
    """Uncaught JavaScript errors of any page in the context (must stay empty)."""
    errors: list[str] = []
    context.on("weberror", lambda error: errors.append(str(error.error)))
    yield errors
    assert errors == [], "JavaScript errors on the page"


@pytest.fixture
def broken_assets(context: BrowserContext) -> Iterator[list[str]]:
    """Stylesheets, scripts, images and fonts the server did not deliver (must stay empty)."""
    broken: list[str] = []

    def check(response: Response) -> None:
        if response.request.resource_type in ASSET_TYPES and response.status >= 400:
            broken.append(f"{response.status} {response.url}")

    context.on("response", check)
    yield broken
    assert broken == [], "assets of the page failed to load"


@pytest.fixture
def csp_violations(context: BrowserContext) -> Iterator[list[str]]:
    """What the Content-Security-Policy refused on any page of the context, as Chromium reports
    it on the console (must stay empty: an inline style or script would be refused)."""
    refused: list[str] = []

    def check(message) -> None:
        if "Content Security Policy" in message.text:
            refused.append(f"{message.location.get('url', '')}: {message.text[:300]}")

    context.on("console", check)
    yield refused
    assert refused == [], "the Content-Security-Policy refused something on the page"


@pytest.fixture
def page(page: Page, offsite_requests, page_errors, broken_assets, csp_violations) -> Page:
    """The test's browser tab, guarded against outside requests, script errors, missing
    assets and anything the Content-Security-Policy refuses."""
    return page


@pytest.fixture
def demo_city(transactional_db, live_server):
    """The demo city (modelled on 岐阜市) in the database the live server reads."""
    from django.core.management import call_command

    call_command("seed_demo", households=5, stdout=io.StringIO())
    return live_server


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


@pytest.fixture
def sign_in(page: Page, demo_city) -> Callable[[str, str], None]:
    """``sign_in(username, password)``: open the site, get sent to the login page, submit it."""

    def _sign_in(username: str, password: str) -> None:
        page.goto(demo_city.url + "/")
        expect(page).to_have_title(re.compile("ログイン"))
        page.get_by_label("ユーザーID", exact=True).fill(username)
        page.get_by_label("パスワード", exact=True).fill(password)
        page.get_by_role("button", name="ログイン", exact=True).click()

    return _sign_in
