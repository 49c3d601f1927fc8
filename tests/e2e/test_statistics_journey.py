"""統計: the office reads this 年度's figures, follows a bar of a chart to the list behind it,
and downloads the report workbook.

The officer opens 統計 from the menu: this 年度's 新規相談 equals the consultations the demo
city received this 年度 (counted here from the records). On 統計のグラフ, a click on the
tallest bar of 相談の受付（分類別） opens the consultations list of that month and category,
which lists that many consultations. Back on the statistics, the workbook downloads with its
cover, one sheet per program, and the same total.
"""

from __future__ import annotations

import io
import re

from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from tsunagu.common.fiscal import fiscal_year, fiscal_year_label, fiscal_year_range
from tsunagu.consultations.models import Consultation

from .test_intake_8050 import main_nav, open_as  # noqa: F401  (fixture)


def shoot(page, directory, number: str, name: str) -> None:
    page.screenshot(path=directory / f"statistics-{number}-{name}.png", full_page=True)


def test_statistics_chart_to_list_and_workbook(open_as, demo_city, screenshot_dir):
    year = fiscal_year(timezone.localdate())
    first, last = fiscal_year_range(year)
    received = Consultation.objects.filter(received_on__gte=first, received_on__lte=last).count()
    assert received > 0, "the demo city has no consultation this 年度"

    page = open_as("officer")
    main_nav(page).get_by_role("link", name="統計", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("統計（年度別実施状況）"))).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(fiscal_year_label(year))
    total = page.get_by_test_id("table-consultations").locator(
        "tr[data-label='新規相談（受付件数）'] [data-testid=total]"
    )
    expect(total).to_have_text(f"{received:,}")
    shoot(page, screenshot_dir, "01", "statistics")

    page.get_by_test_id("to-dashboard").click()
    chart = page.get_by_test_id("chart-consultations_by_category")
    canvas = chart.get_by_test_id("chart")
    expect(canvas).to_be_visible()
    shoot(page, screenshot_dir, "02", "charts")
    # the tallest single bar segment that links to a list: where it is drawn, and its count
    bar = canvas.evaluate(
        """(canvas) => {
            const table = canvas.closest('figure').querySelector('table[data-chart]');
            const chart = table.chart;
            const rows = table.querySelectorAll('tbody tr[data-series]');
            let best = null;
            chart.data.datasets.forEach((set, d) => {
              set.data.forEach((v, m) => {
                const cell = rows[d].querySelectorAll('td[data-month-cell]')[m];
                const link = cell.querySelector('a[href]');
                if (v && link && (!best || v > best.value)) {
                  const el = chart.getDatasetMeta(d).data[m];
                  best = {value: v, x: el.x, y: (el.y + el.base) / 2,
                          href: link.getAttribute('href'), series: set.label};
                }
              });
            });
            return best;
        }"""
    )
    assert bar is not None, "no bar to follow"
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + bar["x"], box["y"] + bar["y"])
    expect(page).to_have_url(re.compile(re.escape(bar["href"]) + "$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("相談")
    rows = page.get_by_test_id("consultation-table").get_by_test_id("consultation-row")
    expect(rows).to_have_count(int(bar["value"]))
    shoot(page, screenshot_dir, "03", "list-behind-the-bar")

    page.go_back()
    page.get_by_test_id("to-statistics").click()
    with page.expect_download() as download:
        page.get_by_test_id("statistics-workbook").click()
    with open(download.value.path(), "rb") as saved:
        book = load_workbook(io.BytesIO(saved.read()))
    assert book.sheetnames[0] == "表紙" and "包括的相談支援" in book.sheetnames
    cover = {r[0]: r[1] for r in book["表紙"].iter_rows(values_only=True) if r[0]}
    assert cover["年度"].startswith(fiscal_year_label(year))
    sheet = list(book["包括的相談支援"].iter_rows(values_only=True))
    line = next(r for r in sheet if r[0] == "新規相談（受付件数）")
    assert line[-1] == received


def test_coordinator_prints_a_household_ecomap(open_as, demo_city, screenshot_dir):
    """The coordinator opens the household of a case they coordinate, its ecomap draws the
    members and the agencies, and it prints on one A4 page."""
    from tsunagu.cases.models import Case

    case = (
        Case.objects.filter(coordinator__username="coordinator", household__isnull=False)
        .select_related("household")
        .order_by("pk")
        .first()
    )
    assert case is not None, "the demo has no household case of the coordinator"
    household = case.household
    page = open_as("coordinator")
    page.goto(f"{demo_city.url}/households/{household.pk}/")
    page.get_by_test_id("ecomap-link").click()
    expect(page.get_by_test_id("ecomap-title")).to_contain_text(household.label)
    figure = page.get_by_test_id("ecomap-figure")
    expect(figure.locator("svg")).to_be_visible()
    expect(figure.locator("svg")).to_contain_text(case.coordinating_agency.name[:6])
    expect(page.get_by_test_id("ecomap-print")).to_be_visible()
    shoot(page, screenshot_dir, "04", "household-ecomap")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    drawn = figure.locator("svg").bounding_box()
    assert drawn["width"] <= 794 and drawn["height"] <= 1123, drawn  # the map fits one page
    pdf = page.pdf(format="A4", print_background=True)
    (screenshot_dir / "statistics-05-household-ecomap.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
