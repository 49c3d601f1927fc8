"""ヘルプ: the user guide (docs/guide) inside the app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from tsunagu.accounts.models import Role
from tsunagu.guide.chapters import CHAPTERS, INDEX_FILE, ROLE_CHAPTER, guide_dir

MD_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
MD_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def chapter_text(slug: str) -> str:
    return (guide_dir() / f"{slug}.md").read_text(encoding="utf-8")


def chapter_title(slug: str) -> str:
    first = next(line for line in chapter_text(slug).splitlines() if line.startswith("# "))
    return first[2:].strip()


def test_every_role_has_a_chapter():
    assert set(ROLE_CHAPTER) == set(Role.values)
    assert set(ROLE_CHAPTER.values()) == {chapter.slug for chapter in CHAPTERS}


@pytest.mark.parametrize("role", list(Role.values))
def test_help_link_opens_the_chapter_of_the_acting_role(login, personas, role):
    persona = next(p for p in personas.values() if p.membership.role == role)
    client = login(persona)
    slug = ROLE_CHAPTER[role]
    url = reverse("guide:chapter", args=[slug])

    home = client.get("/").content.decode()
    assert f'href="{url}" data-testid="nav-help">ヘルプ</a>' in home

    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert chapter_title(slug) in html
    assert "あなたの役割" in html
    assert 'data-testid="guide-page"' in html


def test_index_renders_and_links_every_chapter(login, personas):
    response = login(personas["desk"]).get(reverse("guide:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "つなぐ（tsunagu）利用者ガイド" in html
    for chapter in CHAPTERS:
        assert f'href="{reverse("guide:chapter", args=[chapter.slug])}"' in html


def test_every_chapter_is_linked_from_the_index_file():
    links = set(MD_LINK.findall((guide_dir() / INDEX_FILE).read_text(encoding="utf-8")))
    for chapter in CHAPTERS:
        assert f"{chapter.slug}.md" in links, chapter.slug


@pytest.mark.parametrize("filename", [INDEX_FILE] + [f"{c.slug}.md" for c in CHAPTERS])
def test_every_image_a_page_references_exists(filename):
    text = (guide_dir() / filename).read_text(encoding="utf-8")
    images = MD_IMAGE.findall(text)
    if filename != INDEX_FILE:
        assert images, "each chapter shows its screens"
    for src in images:
        assert src.startswith("images/") and src.endswith(".png"), src
        assert (guide_dir() / src).is_file(), src


@pytest.mark.parametrize("filename", [INDEX_FILE] + [f"{c.slug}.md" for c in CHAPTERS])
def test_links_between_pages_point_at_pages_that_exist(filename):
    text = (guide_dir() / filename).read_text(encoding="utf-8")
    for href in MD_LINK.findall(text):
        path = href.partition("#")[0]
        if path:
            assert (guide_dir() / path).resolve().is_file(), href


def test_chapter_images_and_links_become_help_urls(login, personas):
    html = (
        login(personas["coordinator"])
        .get(reverse("guide:chapter", args=["02-coordinator"]))
        .content.decode()
    )
    assert f'src="{static("guide/images/02-coordinator-1.png")}"' in html
    assert 'src="images/' not in html
    assert f'href="{reverse("guide:chapter", args=["01-madoguchi"])}"' in html
    assert '.md"' not in html
    # anchors of Japanese headings, as GitHub writes them
    assert 'id="2-5-会議を開く"' in html


def test_images_are_static_files():
    """The static folder of the app links to docs/guide/images: collectstatic copies the
    screenshots and WhiteNoise serves them, in the demo (finders) and in production."""
    found = finders.find("guide/images/07-guest-1.png")
    assert found and Path(found).resolve() == (guide_dir() / "images" / "07-guest-1.png").resolve()


def test_unknown_chapter_is_404(login, personas):
    client = login(personas["desk"])
    assert client.get("/help/09-nothing/").status_code == 404
    assert client.get("/help/README/").status_code == 404
    assert client.get("/help/images/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/help/../README.md",
        "/help/..%2F..%2Fpyproject/",
        "/help/%2E%2E/",
        "/help/..%5Cchapters/",
        "/help/images/..%2FREADME.md",
        "/help/images/..%2F..%2F..%2Fpyproject.toml",
        "/help/images/%2E%2E",
        "/help/images/01-madoguchi.md",
    ],
)
def test_path_traversal_is_404(login, personas, path):
    assert login(personas["desk"]).get(path).status_code == 404


def test_help_requires_sign_in(client):
    for url in (
        reverse("guide:index"),
        reverse("guide:chapter", args=["01-madoguchi"]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_login_page_has_no_help_link(client):
    html = client.get(reverse("login")).content.decode()
    assert "nav-help" not in html


def test_wrapped_japanese_lines_are_joined():
    from tsunagu.guide.rendering import render

    html = render("# 題\n\n一行目の終わり\n二行目の始まり。English\nwords stay apart.").html
    assert "一行目の終わり二行目の始まり。" in html
    assert "English\nwords" in html


def test_aligned_table_columns_need_no_inline_style():
    from tsunagu.guide.rendering import render

    html = render("# t\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n").html
    assert 'align="right"' in html
    assert "style=" not in html


@pytest.mark.parametrize("slug", [c.slug for c in CHAPTERS])
def test_chapters_render_without_inline_styles(login, personas, slug):
    html = login(personas["officer"]).get(reverse("guide:chapter", args=[slug])).content.decode()
    assert "style=" not in html and "<style" not in html
