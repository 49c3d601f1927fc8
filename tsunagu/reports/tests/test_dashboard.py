"""The statistics as charts: each chart is a table of the same figures (marked for charts.js),
small counts hidden outside the office are not drawn, and each bar's cell links to its list."""

from __future__ import annotations

import re

import pytest

from .test_statistics import seeded  # noqa: F401  (the same records)

pytestmark = pytest.mark.django_db


def series(body: str, table: str) -> dict[str, list[str | None]]:
    """The drawn rows of a chart's table: label → each month's data-value (None: not drawn)."""
    start = body.index(f'data-testid="chart-{table}"')
    part = body[start : body.index("</table>", start)]
    out = {}
    for label, cells in re.findall(r'<tr[^>]*data-series="([^"]+)"[^>]*>(.*?)</tr>', part, re.S):
        out[label] = [
            m.group(1) if m else None
            for m in (
                re.search(r'data-value="([^"]*)"', cell)
                for cell in re.findall(r"<td[^>]*data-month-cell[^>]*>", cells)
            )
        ]
    return out


def test_the_office_sees_every_chart_with_its_numbers(seeded, login, personas):
    body = login(personas["officer"]).get("/reports/dashboard/?year=R7").content.decode()
    for key in ("consultations_by_category", "referrals", "cases_status", "meetings"):
        assert f'data-testid="chart-{key}"' in body
    assert body.count('data-chart="') >= 4
    categories = series(body, "consultations_by_category")
    # ひきこもり ticked on 4/1 and 3/31 of 令和7年度
    assert categories["ひきこもり"][0] == "1" and categories["ひきこもり"][-1] == "1"
    sent = series(body, "referrals")["送付"]
    assert sent[0] == "2" and sent[-1] == "1"
    assert "chart.umd.min.js" in body and "charts.js" in body


def test_a_bar_links_to_the_list_behind_it(seeded, login, personas):
    body = login(personas["officer"]).get("/reports/dashboard/?year=R7").content.decode()
    start = body.index('data-series="ひきこもり"')
    row = body[start : body.index("</tr>", start)]
    link = re.search(r'href="([^"]+)"', row).group(1).replace("&amp;", "&")
    assert link.startswith("/consultations/?date_from=2025-04-01&date_to=2025-04-30&category=")


def test_hidden_counts_are_not_drawn(seeded, login, personas):
    body = login(personas["desk"]).get("/reports/dashboard/?year=R7").content.decode()
    categories = series(body, "consultations_by_category")
    # the desk's agency: ひきこもり once in April — hidden, so no value to draw
    assert categories["ひきこもり"][0] is None
    assert "3未満" in body


def test_bad_input_on_the_dashboard(seeded, login, personas):
    answer = login(personas["officer"]).get("/reports/dashboard/?year=あいう")
    assert answer.status_code == 422
    assert "年度" in answer.content.decode()
