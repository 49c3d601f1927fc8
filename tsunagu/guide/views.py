"""ヘルプ: the user guide (docs/guide) inside the app, for signed-in users (it describes the
program's internal procedures). Chapters come from a fixed list, never from the URL as a path."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from tsunagu.accounts.acting import acting

from .chapters import BY_SLUG, CHAPTERS, INDEX_FILE, chapter_for_role, guide_dir
from .rendering import render as render_markdown


def _page(request: HttpRequest, filename: str, current: str | None) -> HttpResponse:
    try:
        text = (guide_dir() / filename).read_text(encoding="utf-8")
    except FileNotFoundError as missing:
        raise Http404("ガイドのファイルがありません。") from missing
    page = render_markdown(text)
    role_chapter = chapter_for_role(acting(request.user).role)
    return render(
        request,
        "guide/page.html",
        {
            "page": page,
            "chapters": CHAPTERS,
            "current": current,
            "role_chapter": role_chapter,
        },
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return _page(request, INDEX_FILE, None)


@login_required
def chapter(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in BY_SLUG:
        raise Http404("そのような章はありません。")
    return _page(request, f"{BY_SLUG[slug].slug}.md", slug)
