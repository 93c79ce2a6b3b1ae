// The compare view: several dyads' series side by side, one line each, as raw counts,
// counts per 100 documents published in the period, mean Goldstein score or net
// cooperation. Each series is GET /api/timeline (both directions); the table under the
// chart holds the same numbers and downloads as CSV.

import { getJSON } from "./api.js";
import { FORMATS, TIME_UNITS, loadVega } from "./chart.js";
import { csvButton, errorBox, formatPeriod, h, notice, perDocuments, replace } from "./dom.js";

const MAX_DYADS = 6;
// The line colours, in order; app.css gives the chips' swatches (.c0 ... .c5) the same.
const COLORS = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2"];
const MEASURES = {
  events: { label: "Events", value: (r) => r.events },
  per_documents: { label: "Events per 100 documents",
    value: (r) => perDocuments(r.events, r.documents) },
  goldstein: { label: "Mean Goldstein score", value: (r) => r.goldstein_mean },
  net: { label: "Net cooperation (events)", value: (r) => r.net_cooperation },
};
let view = null;

const dyadKey = ([a, b]) => `${a}-${b}`;
const dyadName = ([a, b]) => `${a} ↔ ${b}`;

function readDyads(text, codes) {
  const dyads = [];
  for (const part of (text || "").split(",")) {
    const [a, b] = part.split("-");
    if (codes.has(a) && codes.has(b) && a !== b
      && !dyads.some((d) => dyadKey(d) === `${a}-${b}`)) dyads.push([a, b]);
  }
  return dyads.slice(0, MAX_DYADS);
}

// The busiest pairs of the network, each pair once whatever its direction.
function busiestDyads(network, count) {
  const seen = new Set();
  const dyads = [];
  for (const edge of [...network.edges].sort((x, y) => y.events - x.events)) {
    const pair = [edge.source, edge.target].sort().join("-");
    if (edge.source === edge.target || seen.has(pair)) continue;
    seen.add(pair);
    dyads.push([edge.source, edge.target]);
    if (dyads.length === count) break;
  }
  return dyads;
}

function select(id, pairs, value) {
  const el = h("select", { id, name: id }, pairs.map(([v, text]) => h("option", { value: v },
    text)));
  el.value = value;
  return el;
}

export async function renderCompare(main, params) {
  view?.finalize();
  view = null;
  const heading = h("h1", { tabindex: "-1" }, "Compare dyads");
  const controls = h("form", { class: "controls", "aria-label": "Dyads to compare" });
  const chartCard = h("section", { class: "card chart-card", "aria-labelledby": "compare-title" });
  replace(main, h("div", { class: "page-head" }, heading, h("p", { class: "lede" },
    "Several pairs of actors over the same periods. Per 100 documents divides each " +
    "period's events by the documents published in it, so busy news periods do not " +
    "look like busy diplomacy.")), controls, chartCard);

  let network;
  try {
    network = await getJSON("/api/network");
  } catch (error) {
    replace(controls, errorBox(error, "Could not load the actors"));
    return heading;
  }
  const codes = new Set(network.nodes.map((n) => n.code));
  if (codes.size < 2 || network.edges.length === 0) {
    controls.remove();
    replace(chartCard, notice("There are no events between two actors yet."));
    return heading;
  }
  const state = {
    dyads: readDyads(params.get("d"), codes),
    by: ["month", "quarter", "year"].includes(params.get("by")) ? params.get("by") : "year",
    measure: params.get("measure") in MEASURES ? params.get("measure") : "events",
  };
  if (!params.get("d")) state.dyads = busiestDyads(network, 3);

  const actorPairs = [...codes].sort().map((c) => [c, c]);
  const addA = select("add-a", actorPairs, actorPairs[0][0]);
  const addB = select("add-b", actorPairs, actorPairs[1][0]);
  const add = h("button", { type: "submit", class: "button secondary", id: "add-dyad" },
    "Add dyad");
  const selectBy = select("compare-by", [["month", "Month"], ["quarter", "Quarter"],
    ["year", "Year"]], state.by);
  const selectMeasure = select("compare-measure",
    Object.entries(MEASURES).map(([k, m]) => [k, m.label]), state.measure);
  const chips = h("ul", { class: "dyad-chips", id: "dyad-chips", "aria-label": "Compared dyads" });
  replace(controls,
    h("div", { class: "field" }, h("label", { for: "add-a" }, "Actor A"), addA),
    h("div", { class: "field" }, h("label", { for: "add-b" }, "Actor B"), addB),
    h("div", { class: "field swap-field" }, add),
    h("div", { class: "field" }, h("label", { for: "compare-by" }, "Group by"), selectBy),
    h("div", { class: "field" }, h("label", { for: "compare-measure" }, "Show"),
      selectMeasure),
    chips);

  let series = [];
  let token = 0;

  function writeHash() {
    const query = new URLSearchParams({ d: state.dyads.map(dyadKey).join(","), by: state.by,
      measure: state.measure });
    history.replaceState(null, "", `#/compare?${query}`);
  }

  function drawChips() {
    replace(chips, state.dyads.map((dyad, i) => h("li", { class: "chip" },
      h("span", { class: `swatch c${i}`, "aria-hidden": "true" }), dyadName(dyad),
      h("button", { type: "button", class: "chip-remove", "aria-label": `Remove ${dyadName(dyad)}`,
        onclick: () => { state.dyads.splice(i, 1); load(); } }, "×"))));
    add.disabled = state.dyads.length >= MAX_DYADS;
  }

  async function load() {
    writeHash();
    drawChips();
    const mine = ++token;
    replace(chartCard, h("h2", { id: "compare-title" }, "Comparison"),
      h("p", { class: "loading" }, "Loading…"));
    if (!state.dyads.length) {
      replace(chartCard, h("h2", { id: "compare-title" }, "Comparison"),
        notice("Add a dyad to compare."));
      return;
    }
    let answers;
    try {
      answers = await Promise.all(state.dyads.map(([a, b]) => getJSON("/api/timeline",
        { a, b, by: state.by })));
    } catch (error) {
      if (mine === token) replace(chartCard, errorBox(error, "Could not load the timelines"));
      return;
    }
    if (mine !== token) return;
    series = answers.map((t, i) => ({ dyad: state.dyads[i],
      rows: t.rows.filter((r) => r.direction === "both") }));
    await draw();
  }

  function tableData() {
    const measure = MEASURES[state.measure];
    const rows = series.flatMap(({ dyad, rows: periods }) => periods.map((r) => ({
      dyad: dyadKey(dyad), period: r.period, start: r.start, end: r.end, events: r.events,
      documents: r.documents, events_per_100_documents: perDocuments(r.events, r.documents),
      goldstein_mean: r.goldstein_mean, net_cooperation: r.net_cooperation,
      value: measure.value(r) })));
    return { columns: ["dyad", "period", "start", "end", "events", "documents",
      "events_per_100_documents", "goldstein_mean", "net_cooperation"], rows };
  }

  async function draw() {
    view?.finalize();
    view = null;
    const measure = MEASURES[state.measure];
    const { rows } = tableData();
    const periods = [...new Map(rows.map((r) => [r.period, r])).values()]
      .sort((x, y) => x.start.localeCompare(y.start));
    const byDyad = new Map(rows.map((r) => [`${r.dyad} ${r.period}`, r.value]));
    const plot = h("div", { class: "chart", id: "compare-chart" });
    const table = h("div", { class: "table-wrap" }, h("table", { class: "compare-table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Period"),
        state.dyads.map((d) => h("th", { scope: "col" }, dyadName(d))))),
      h("tbody", {}, periods.map((p) => h("tr", {}, h("th", { scope: "row" },
        formatPeriod(p.period)), state.dyads.map((d) => {
        const value = byDyad.get(`${dyadKey(d)} ${p.period}`);
        return h("td", { class: "num" }, value === null || value === undefined ? "–"
          : value.toLocaleString("en"));
      }))))));
    replace(chartCard, h("div", { class: "card-head" },
      h("h2", { id: "compare-title" }, `${measure.label} by ${state.by}`),
      csvButton(`dyads-${state.by}.csv`, tableData)), plot, table);
    const values = rows.filter((r) => r.value !== null)
      .map((r) => ({ ...r, label: formatPeriod(r.period),
        name: dyadName(r.dyad.split("-")) }));
    const vegaEmbed = await loadVega();
    const result = await vegaEmbed(plot, {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      width: "container", height: 260, autosize: { type: "fit-x", contains: "padding" },
      background: null,
      config: { font: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        view: { stroke: null }, legend: { orient: "top", labelFontSize: 12 } },
      data: { values },
      mark: { type: "line", point: true, strokeWidth: 2 },
      encoding: {
        x: { field: "start", type: "temporal", timeUnit: TIME_UNITS[state.by], title: null,
          axis: { format: FORMATS[state.by], labelOverlap: true } },
        y: { field: "value", type: "quantitative", title: measure.label },
        color: { field: "name", type: "nominal", title: null,
          scale: { domain: state.dyads.map(dyadName), range: COLORS } },
        tooltip: [{ field: "name", title: "Dyad" }, { field: "label", title: "Period" },
          { field: "value", title: measure.label }, { field: "events", title: "Events" },
          { field: "documents", title: "Documents" }],
      },
    }, { actions: false, renderer: "svg", ast: true, defaultStyle: false,
      tooltip: { theme: "custom" } });
    view = result;
    const svg = plot.querySelector("svg");
    if (svg) {
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", `Line chart of ${measure.label.toLowerCase()} by ` +
        `${state.by} for ${state.dyads.map(dyadName).join(", ")}; the table below has the values.`);
    }
  }

  controls.addEventListener("submit", (event) => {
    event.preventDefault();
    const dyad = [addA.value, addB.value];
    if (dyad[0] === dyad[1] || state.dyads.some((d) => dyadKey(d) === dyadKey(dyad)
      || dyadKey(d) === dyadKey([dyad[1], dyad[0]]))) return;
    state.dyads.push(dyad);
    load();
  });
  selectBy.addEventListener("change", () => { state.by = selectBy.value; load(); });
  selectMeasure.addEventListener("change", () => {
    state.measure = selectMeasure.value;
    writeHash();
    draw();
  });
  await load();
  return heading;
}
