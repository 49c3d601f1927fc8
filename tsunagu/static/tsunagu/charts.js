/*
 * Charts drawn from the tables beside them: a table marked `data-chart="bar|stacked|line"`
 * gets a Chart.js chart above it. The table stays the accessible version and the numbers
 * offices copy; the chart is hidden from screen readers.
 *
 * - the columns are the header cells marked `data-month` (the total is not drawn);
 * - the series are the body rows marked `data-series` (their header cell is the name);
 * - a cell's number is its `data-value`; a cell without one (a hidden small count) is a gap;
 * - a cell's link (an `a[href]` inside it) is where clicking its bar goes;
 * - with `data-chart-transpose`, the rows are the labels and the columns the series (e.g.
 *   each indicator with its target and its actual).
 */
(function () {
  "use strict";

  var COLOURS = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
  ];

  function read(table) {
    var months = Array.prototype.map.call(
      table.querySelectorAll("thead [data-month]"),
      function (th) { return th.textContent.trim(); }
    );
    var series = Array.prototype.map.call(
      table.querySelectorAll("tbody tr[data-series]"),
      function (tr, n) {
        var cells = tr.querySelectorAll("td[data-month-cell]");
        return {
          label: tr.getAttribute("data-series") || tr.querySelector("th").textContent.trim(),
          values: Array.prototype.map.call(cells, function (td) {
            var v = td.getAttribute("data-value");
            return v === null || v === "" ? null : Number(v);
          }),
          links: Array.prototype.map.call(cells, function (td) {
            var a = td.querySelector("a[href]");
            return a ? a.getAttribute("href") : null;
          }),
          colour: COLOURS[n % COLOURS.length],
        };
      }
    );
    if (!table.hasAttribute("data-chart-transpose")) {
      return { months: months, series: series };
    }
    return {
      months: series.map(function (s) { return s.label; }),
      series: months.map(function (month, n) {
        return {
          label: month,
          values: series.map(function (s) { return s.values[n]; }),
          links: series.map(function (s) { return s.links[n]; }),
          colour: COLOURS[n % COLOURS.length],
        };
      }),
    };
  }

  function draw(table) {
    if (typeof Chart === "undefined") {
      return;
    }
    var kind = table.getAttribute("data-chart");
    var data = read(table);
    if (!data.series.length) {
      return;
    }
    var box = document.createElement("div");
    box.className = "chart-box mb-2";
    box.setAttribute("aria-hidden", "true");
    var canvas = document.createElement("canvas");
    canvas.setAttribute("data-testid", "chart");
    box.appendChild(canvas);
    table.closest(".table-responsive").before(box);
    var chart = new Chart(canvas, {
      type: kind === "line" ? "line" : "bar",
      data: {
        labels: data.months,
        datasets: data.series.map(function (s) {
          return {
            label: s.label,
            data: s.values,
            backgroundColor: s.colour,
            borderColor: s.colour,
            spanGaps: false,
          };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: kind === "stacked" },
          y: { stacked: kind === "stacked", beginAtZero: true, ticks: { precision: 0 } },
        },
        plugins: { legend: { position: "bottom" } },
        onHover: function (event, elements) {
          var link = elements.length
            ? data.series[elements[0].datasetIndex].links[elements[0].index]
            : null;
          event.native.target.style.cursor = link ? "pointer" : "default";
        },
        onClick: function (event, elements) {
          if (!elements.length) {
            return;
          }
          var link = data.series[elements[0].datasetIndex].links[elements[0].index];
          if (link) {
            window.location.href = link;
          }
        },
      },
    });
    table.chart = chart;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table[data-chart]").forEach(draw);
  });
})();
