"""The community section's home page: what a community coordinator or the office opens first —
links to activities, platforms, the year's targets, the watch list and the reports, with
what needs attention counted."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from tsunagu.common.views import personal_data_view


@personal_data_view("community.view")
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    sections = [
        (
            "地域づくり活動",
            "community:activity_list",
            "サロン・集いの場・子ども食堂などの記録と参加者数",
            "community.view",
        ),
        (
            "プラットフォーム",
            "community:platform_list",
            "構成団体と、話し合ったこと・始まったこと",
            "community.view",
        ),
        (
            "成果目標",
            "community:target_board",
            "年度の目標と、記録から数えた実績",
            "community.view",
        ),
        ("見守り", "community:watch_list", "見守っている方と安否確認", "community.watch"),
        (
            "気づき・通報",
            "community:report_list",
            "住民・事業者・民生委員からの気づきと振り分け",
            "community.watch",
        ),
    ]
    links = []
    for label, name, note, perm in sections:
        if not user.has_perm(perm):
            continue
        try:
            links.append((label, reverse(name), note))
        except NoReverseMatch:  # a topic not yet on this server
            continue
    return render(request, "community/home.html", {"links": links})
