"""Closed government networks have no internet: nothing may load from outside the server."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "tsunagu"

# A load from another host: src/href/action attributes, CSS url()/@import, JS fetch/import
EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:\bimport\s*\(?\s*["'](?:https?:)?//)"""
    r"""|(?:\bfetch\(\s*["'](?:https?:)?//)""",
    re.IGNORECASE,
)


def _files(*suffixes):
    return sorted(p for p in ROOT.rglob("*") if p.is_file() and p.suffix in suffixes)


def _offending_lines(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    return [m.group(0) for m in EXTERNAL.finditer(text)]


@pytest.mark.parametrize("path", _files(".html"), ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_load_nothing_from_outside(path):
    assert _offending_lines(path) == []


@pytest.mark.parametrize(
    "path", _files(".css", ".js", ".svg"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_static_files_load_nothing_from_outside(path):
    assert _offending_lines(path) == []


def test_the_check_itself_catches_a_cdn_link(tmp_path):
    page = tmp_path / "x.html"
    page.write_text(
        '<script src="https://cdn.example.com/htmx.js"></script>'
        "<link href='//fonts.example.com/css'>"
        "<style>@import url(https://fonts.example.com/a.css);</style>",
        encoding="utf-8",
    )
    assert len(_offending_lines(page)) == 3


def test_vendored_assets_carry_their_licences():
    vendor = ROOT / "static" / "vendor"
    for package in ("bootstrap", "htmx"):
        assert (vendor / package / "LICENSE").stat().st_size > 0


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/login/", "/", "/agencies/", "/audit/", "/password/"])
def test_rendered_pages_reference_only_this_server(client, personas, url):
    if url != "/login/":
        client.force_login(personas["officer"].user)
    html = client.get(url).content.decode()
    assert _offending_lines_text(html) == []
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html or url != "/login/"


def _offending_lines_text(text):
    return [m.group(0) for m in EXTERNAL.finditer(text)]


@pytest.mark.parametrize(
    "name",
    [
        "vendor/bootstrap/bootstrap.min.css",
        "vendor/bootstrap/bootstrap.bundle.min.js",
        "vendor/htmx/htmx.min.js",
        "tsunagu/tsunagu.css",
    ],
)
def test_every_referenced_static_file_is_found(name):
    from django.contrib.staticfiles import finders

    assert finders.find(name), name
