"""Markdown of the guide → HTML for the help pages, with the guide's relative links (other
chapters, images, the index) turned into the help pages' URLs."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import markdown
from django.templatetags.static import static
from django.urls import reverse
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

from .chapters import BY_SLUG, IMAGE_DIR, INDEX_FILE

IMAGE_NAME = re.compile(r"^[0-9a-z][0-9a-z-]*\.png$")
# A line break between two Japanese characters: the source wraps lines, the page does not
# (HTML would show it as a space in the middle of a sentence).
JAPANESE_LINE_BREAK = re.compile(r"(?<=[^\x00-\x7f])\n(?=[^\x00-\x7f])")


@dataclass(frozen=True)
class Page:
    title: str
    html: str


def image_url(name: str) -> str:
    """Screenshots are static files (tsunagu/guide/static/guide/images links to docs/guide/images):
    collectstatic copies them and WhiteNoise serves them with long-lived caching, as it serves
    the stylesheets; pages of a signed-in user are never cached (NoStoreMiddleware)."""
    return static(f"guide/images/{name}")


def _link(href: str) -> str | None:
    """The help URL of a relative link of the guide; None for a file the app does not serve."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", href) or href.startswith(("#", "/")):
        return href
    path, _, anchor = href.partition("#")
    suffix = f"#{anchor}" if anchor else ""
    if path == INDEX_FILE:
        return reverse("guide:index") + suffix
    if path.endswith(".md") and path[:-3] in BY_SLUG:
        return reverse("guide:chapter", args=[path[:-3]]) + suffix
    return None


class _HelpLinks(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag == "a":
                url = _link(element.get("href", ""))
                if url is None:  # e.g. ../operations.md: named, not linked
                    element.tag = "span"
                    element.attrib.clear()
                else:
                    element.set("href", url)
            elif element.tag == "img":
                src = element.get("src", "")
                folder, _, name = src.partition("/")
                if folder == IMAGE_DIR and IMAGE_NAME.match(name):
                    element.set("src", image_url(name))
                element.set("class", "img-fluid border rounded my-2")
            elif element.tag == "table":
                element.set("class", "table table-sm table-bordered w-auto")


class _HelpLinksExtension(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(_HelpLinks(md), "tsunagu_help_links", 5)


def render(text: str) -> Page:
    md = markdown.Markdown(
        extensions=["tables", "fenced_code", "sane_lists", "toc", _HelpLinksExtension()],
        extension_configs={
            "toc": {"slugify": slugify_unicode},
            # align="" rather than style="": the Content-Security-Policy refuses inline styles
            "tables": {"use_align_attribute": True},
        },
    )
    html = JAPANESE_LINE_BREAK.sub("", md.convert(text))
    first = next((line for line in text.splitlines() if line.startswith("# ")), "")
    return Page(title=first[2:].strip(), html=html)
