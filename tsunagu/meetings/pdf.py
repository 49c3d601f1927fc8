"""Printable A4 PDFs with WeasyPrint and the IPAex fonts (Debian ``fonts-ipaexfont``).

Nothing is fetched from the network: the fetcher answers only ``data:`` URLs and files
under the project's static directories, and fonts come from fontconfig by family name.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

FONT_GOTHIC = "IPAexGothic"
FONT_MINCHO = "IPAexMincho"
DEFAULT_HEADER = "取扱注意"


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def page_css(header: str = DEFAULT_HEADER) -> str:
    """A4 portrait, 15mm margins, the header text top right, "n / N" at the foot."""
    return f"""
@page {{
  size: A4 portrait;
  margin: 15mm;
  @top-right {{
    content: {_css_string(header)};
    font-family: "{FONT_GOTHIC}";
    font-size: 8.5pt;
    font-weight: bold;
    color: #b02a37;
    vertical-align: bottom;
    padding-bottom: 2mm;
  }}
  @bottom-center {{
    content: counter(page) " / " counter(pages);
    font-family: "{FONT_GOTHIC}";
    font-size: 8.5pt;
    color: #444;
  }}
}}
html {{ font-family: "{FONT_GOTHIC}", "{FONT_MINCHO}", sans-serif; font-size: 9.5pt; }}
"""


def _local_roots() -> list[Path]:
    roots = [Path(d).resolve() for d in getattr(settings, "STATICFILES_DIRS", [])]
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


def _is_local(url: str) -> bool:
    if url.startswith("data:"):
        return True
    if not url.startswith("file:"):
        return False
    from urllib.request import url2pathname

    path = Path(url2pathname(url.split("?")[0].removeprefix("file:"))).resolve()
    return any(path.is_relative_to(root) for root in _local_roots())


def local_url_fetcher():
    """A WeasyPrint fetcher that refuses every URL but ``data:`` and local static files."""
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not _is_local(url):
                raise ValueError(f"外部のURLは読み込みません：{url}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def render_pdf(html: str, *, header: str = DEFAULT_HEADER) -> bytes:
    """The PDF of ``html``: A4 portrait, 15mm margins, header and page numbers, IPAex fonts."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    roots = _local_roots()
    base_url = roots[0].as_uri() + "/" if roots else None
    fetcher = local_url_fetcher()
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    stylesheet = CSS(string=page_css(header), font_config=fonts, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet], font_config=fonts)
