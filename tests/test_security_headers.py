"""Content-Security-Policy on every page, no inline scripts or styles anywhere, no-store on
personal data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tsunagu.accounts import services as account_services
from tsunagu.cases.tests.conftest import *  # noqa: F403  (the case fixtures)

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).resolve().parent.parent / "tsunagu"
TAG = re.compile(r"<[a-zA-Z][^>]*>", re.S)
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I
)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
# server-side print templates WeasyPrint turns into PDF (a PDF answer carries no policy)
PDF_TEMPLATE = re.compile(r"_pdf\.html$")


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict_policy(response):
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]  # no inline script, no eval
    assert directives["style-src"] == ["'self'"]  # no inline style either
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]


def assert_no_inline_script(html: str):
    assert not INLINE_SCRIPT.findall(html)
    handlers = [tag for tag in TAG.findall(html) if HANDLER.search(tag)]
    assert not handlers
    styled = [tag[:120] for tag in TAG.findall(html) if INLINE_STYLE.search(tag)]
    assert not styled, "inline styles are refused by style-src 'self'"


def test_the_login_page_has_the_policy(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_strict_policy(response)
    assert_no_inline_script(response.content.decode())


def test_the_dashboard_has_the_policy(login, personas):
    response = login(personas["officer"]).get(reverse("dashboard"))
    assert response.status_code == 200
    assert_strict_policy(response)
    assert_no_inline_script(response.content.decode())


def test_a_case_page_has_the_policy(login, personas, case):
    response = login(personas["coordinator"]).get(reverse("cases:case_detail", args=[case.pk]))
    assert response.status_code == 200
    assert_strict_policy(response)
    assert_no_inline_script(response.content.decode())


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/accounts/user/", "/admin/accounts/user/add/", "/admin/login/"]
)
def test_the_admin_site_works_under_the_policy(login, personas, url):
    response = login(personas["admin"]).get(url, follow=True)
    assert response.status_code == 200
    assert_strict_policy(response)
    assert_no_inline_script(response.content.decode())


def test_an_error_page_has_the_policy(login, personas):
    response = login(personas["desk"]).get("/cases/999999/")
    assert response.status_code == 404
    assert_strict_policy(response)


def test_no_template_has_an_inline_script_or_handler():
    """Scripts come from files under static/ only (script-src 'self')."""
    offenders = []
    for template in sorted(PACKAGE.glob("**/templates/**/*.html")):
        text = template.read_text(encoding="utf-8")
        name = str(template.relative_to(PACKAGE))
        offenders += [f"{name}: {m}" for m in INLINE_SCRIPT.findall(text)]
        offenders += [f"{name}: {t[:80]}" for t in TAG.findall(text) if HANDLER.search(t)]
        if "hx-on" in text:
            offenders.append(f"{name}: hx-on (evaluated as script)")
        if "javascript:" in text:
            offenders.append(f"{name}: javascript: URL")
    assert offenders == []


def test_no_template_served_to_a_browser_has_an_inline_style():
    """Styles come from files under static/ only (style-src 'self'); PDF templates excepted."""
    offenders = []
    for template in sorted(PACKAGE.glob("**/templates/**/*.html")):
        name = str(template.relative_to(PACKAGE))
        if PDF_TEMPLATE.search(name):
            continue
        text = template.read_text(encoding="utf-8")
        offenders += [f"{name}: {t[:80]}" for t in TAG.findall(text) if INLINE_STYLE.search(t)]
    assert offenders == []


def test_print_buttons_use_the_print_script():
    base = (PACKAGE / "templates" / "base.html").read_text(encoding="utf-8")
    assert "tsunagu/print-button.js" in base
    assert (PACKAGE / "static" / "tsunagu" / "print-button.js").exists()
    for name in (
        "meetings/templates/meetings/summary_sheet.html",
        "reports/templates/reports/ecomap.html",
    ):
        assert "data-print" in (PACKAGE / name).read_text(encoding="utf-8")


def assert_no_store(response):
    assert "no-store" in response.get("Cache-Control", "")


def test_api_answers_are_never_stored(client, login, personas):
    assert_no_store(client.get("/api/v1/agencies"))  # refused
    assert_no_store(login(personas["desk"]).get("/api/v1/agencies"))


def test_api_answers_to_a_token_are_never_stored(client, personas):
    _token, raw = account_services.api_token_issue(
        membership=personas["desk"].membership, name="連携システム", by=personas["desk"].user
    )
    response = client.get("/api/v1/agencies", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert_no_store(response)


def test_signed_in_pages_and_downloads_are_never_stored(login, personas, case):
    client = login(personas["coordinator"])
    assert_no_store(client.get(reverse("dashboard")))
    assert_no_store(client.get(reverse("cases:case_detail", args=[case.pk])))


def test_static_files_keep_their_caching(client):
    response = client.get("/static/tsunagu/tsunagu.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_pdf_is_left_to_the_browsers_viewer(rf):
    from django.http import HttpResponse

    from tsunagu.accounts.security import PageCSPMiddleware

    def answer_with(content_type):
        middleware = PageCSPMiddleware(
            lambda request: HttpResponse(b"x", content_type=content_type)
        )
        return middleware(rf.get("/"))

    assert "Content-Security-Policy" not in answer_with("application/pdf")
    assert "Content-Security-Policy" in answer_with("text/html; charset=utf-8")
    assert "Content-Security-Policy" in answer_with("application/json")
