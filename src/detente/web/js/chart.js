// The dyad timeline as a Vega-Lite chart: bars per quad class (raw counts, or per 100
// documents published in the period) and a line of the mean Goldstein score on the right
// axis. Vega comes from this server (/vendor/vega.js, built from the vl-convert-python
// bundle), never from a CDN, and runs with its AST interpreter so the page needs no
// 'unsafe-eval'.

import { MEASURES, QUADS, formatPeriod, perDocuments } from "./dom.js";

let vegaLoading = null;

export function loadVega() {
  vegaLoading ??= import("/vendor/vega.js").then(() => window.vegaEmbed);
  return vegaLoading;
}

export const TIME_UNITS = { month: "utcyearmonth", quarter: "utcyearquarter", year: "utcyear" };
export const FORMATS = { month: "%b %Y", quarter: "Q%q %Y", year: "%Y" };

// One bar segment per period and quad class; conflict counts are negative so they
// hang below the zero line. With measure "per_documents" each count is divided by the
// documents published in the period (a period without documents has no bar).
export function chartValues(rows, measure = "events") {
  const values = [];
  for (const row of rows) {
    for (const [quad, info] of Object.entries(QUADS)) {
      const count = row[info.key] || 0;
      const shown = measure === "per_documents" ? perDocuments(count, row.documents) : count;
      if (!shown) continue;
      const conflict = Number(quad) > 2;
      values.push({
        period: row.period, label: formatPeriod(row.period), start: row.start,
        quad: info.name, count, shown,
        value: conflict ? -shown : shown, order: { 2: 1, 1: 2, 3: 3, 4: 4 }[quad],
      });
    }
  }
  return values;
}

// The Goldstein line: the mean score of each period that has scored events.
export function goldsteinValues(rows) {
  return rows.filter((r) => r.goldstein_mean !== null && r.events > 0).map((r) => ({
    period: r.period, label: formatPeriod(r.period), start: r.start,
    goldstein: r.goldstein_mean, events: r.events,
  }));
}

function spec(rows, by, selected, width, measure) {
  const quads = Object.values(QUADS);
  const values = chartValues(rows, measure);
  const unit = MEASURES[measure].unit;
  const first = rows.length ? rows[0].start : null;
  const last = rows.length ? rows[rows.length - 1].end : null;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: "container",
    height: 240,
    autosize: { type: "fit-x", contains: "padding" },
    background: null,
    config: {
      font: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
      axis: { labelFontSize: 12, titleFontSize: 12, labelColor: "#3d4451", titleColor: "#3d4451",
        domainColor: "#9aa3b2", tickColor: "#9aa3b2", gridColor: "#e6e9ef" },
      legend: { labelFontSize: 12, symbolType: "square" },
      view: { stroke: null },
    },
    params: [{ name: "selected", value: selected || "" }],
    resolve: { scale: { y: "independent" } },
    layer: [{ data: { values }, layer: [
      {
        mark: { type: "bar", cursor: "pointer", tooltip: true },
        encoding: {
          x: {
            field: "start", type: "temporal", timeUnit: TIME_UNITS[by], title: null,
            scale: first ? { domain: [first, last] } : {},
            axis: { format: FORMATS[by], labelOverlap: true, grid: false },
          },
          y: {
            field: "value", type: "quantitative", stack: "zero",
            title: `${unit} (conflict below the line)`,
            axis: { tickMinStep: measure === "events" ? 1 : undefined,
              labelExpr: "abs(datum.value)" },
          },
          color: {
            field: "quad", type: "nominal", title: null,
            scale: { domain: quads.map((q) => q.name), range: quads.map((q) => q.color) },
            // Two legend columns on phones, so the legend never widens the chart.
            legend: { orient: "top", direction: "horizontal", columns: width < 560 ? 2 : 4 },
          },
          order: { field: "order" },
          opacity: {
            condition: { test: "selected === '' || datum.period === selected", value: 1 },
            value: 0.3,
          },
          tooltip: [
            { field: "label", title: "Period" },
            { field: "quad", title: "Class" },
            { field: "count", title: "Events" },
            ...(measure === "events" ? [] : [{ field: "shown", title: unit }]),
          ],
        },
      },
      { mark: { type: "rule", color: "#6b7280" }, encoding: { y: { datum: 0 } } },
    ] }, {
      data: { values: goldsteinValues(rows) },
      mark: { type: "line", color: "#1f2937", strokeWidth: 2, cursor: "pointer",
        point: { filled: true, size: 36, color: "#1f2937" } },
      encoding: {
        x: { field: "start", type: "temporal", timeUnit: TIME_UNITS[by], bandPosition: 0.5 },
        y: { field: "goldstein", type: "quantitative", scale: { domain: [-10, 10] },
          title: "Mean Goldstein score (line)", axis: { orient: "right", grid: false } },
        tooltip: [
          { field: "label", title: "Period" },
          { field: "goldstein", title: "Mean Goldstein", format: ".2f" },
          { field: "events", title: "Events" },
        ],
      },
    }],
  };
}

// Draws the chart into `el`; `onPick(period)` is called when a bar is clicked.
export async function drawTimeline(el, rows, { by, selected, onPick, label,
  measure = "events" }) {
  const vegaEmbed = await loadVega();
  const result = await vegaEmbed(el, spec(rows, by, selected, el.clientWidth, measure), {
    actions: false, renderer: "svg", ast: true, defaultStyle: false,
    tooltip: { theme: "custom" },
  });
  const svg = el.querySelector("svg");
  if (svg) {
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label);
  }
  result.view.addEventListener("click", (_event, item) => {
    const period = item && item.datum && item.datum.period;
    if (period) onPick(period);
  });
  return {
    select(period) {
      result.view.signal("selected", period || "").runAsync();
    },
    finalize() {
      result.finalize();
    },
  };
}
