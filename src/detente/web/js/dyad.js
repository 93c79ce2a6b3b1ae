// The dyad view: pick two actors → timeline by period → a period's events with their
// evidence → open the document. State lives in the URL hash, so a view can be shared.

import { getJSON } from "./api.js";
import { drawTimeline } from "./chart.js";
import {
  QUADS, actorCell, errorBox, formatDate, formatPeriod, h, notice, plural, replace, typeBadge,
} from "./dom.js";

const PAGE = 200;
let chart = null;

function writeHash(state) {
  const query = new URLSearchParams();
  for (const key of ["a", "b", "by", "dir", "period"]) if (state[key]) query.set(key, state[key]);
  history.replaceState(null, "", `#/dyad?${query}`);
  sessionStorage.setItem("detente.lastDyad", location.hash);
}

function select(id, label, options, value) {
  const el = h("select", { id, name: id },
    options.map(([optionValue, text]) => h("option", { value: optionValue }, text)));
  el.value = value;
  return [h("label", { for: id }, label), el];
}

function directionLabel(state, dir) {
  if (dir === "ab") return `${state.a} → ${state.b}`;
  if (dir === "ba") return `${state.b} → ${state.a}`;
  return "Both directions";
}

function directionKey(state) {
  if (state.dir === "ab") return `${state.a}->${state.b}`;
  if (state.dir === "ba") return `${state.b}->${state.a}`;
  return "both";
}

export async function renderDyad(main, params) {
  chart?.finalize();
  chart = null;
  const heading = h("h1", { tabindex: "-1" }, "Dyads");
  const intro = h("p", { class: "lede" },
    "Cooperation and conflict between two actors over time. Pick a period in the chart " +
    "to read its events and the sentences they were coded from.");
  const controls = h("form", { class: "controls", "aria-label": "Dyad" });
  const chartCard = h("section", { class: "card chart-card", "aria-labelledby": "chart-title" });
  const eventsCard = h("section", { class: "card", id: "period-events",
    "aria-labelledby": "period-title" });
  const keyCard = h("aside", { class: "card key-events", "aria-labelledby": "key-title" });
  replace(main, h("div", { class: "page-head" }, heading, intro), controls,
    chartCard, h("div", { class: "split" }, eventsCard, keyCard));

  let network;
  try {
    network = await getJSON("/api/network");
  } catch (error) {
    replace(controls, errorBox(error, "Could not load the actors"));
    return heading;
  }
  const nodes = [...network.nodes].sort((x, y) => x.code.localeCompare(y.code));
  if (nodes.length < 2) {
    controls.remove();
    replace(chartCard, notice("There are no events between two actors yet. Add documents " +
      "on the Documents page and they will appear here."));
    eventsCard.remove();
    keyCard.remove();
    return heading;
  }
  const busiest = [...network.edges].sort((x, y) => y.events - x.events)[0];
  const codes = new Set(nodes.map((n) => n.code));
  const state = {
    a: codes.has(params.get("a")) ? params.get("a") : busiest.source,
    b: codes.has(params.get("b")) ? params.get("b") : busiest.target,
    by: ["month", "quarter", "year"].includes(params.get("by")) ? params.get("by") : "month",
    dir: ["both", "ab", "ba"].includes(params.get("dir")) ? params.get("dir") : "both",
    period: params.get("period") || "",
  };
  const actorOptions = nodes.map((n) => [n.code,
    `${n.code} (${plural(n.events_sent + n.events_received, "event")})`]);

  const [labelA, selectA] = select("actor-a", "Actor A", actorOptions, state.a);
  const [labelB, selectB] = select("actor-b", "Actor B", actorOptions, state.b);
  const swap = h("button", { type: "button", class: "button secondary swap",
    title: "Swap A and B" }, h("span", { "aria-hidden": "true" }, "⇄"), " Swap");
  const [labelBy, selectBy] = select("group-by", "Group by",
    [["month", "Month"], ["quarter", "Quarter"], ["year", "Year"]], state.by);
  const selectDir = h("select", { id: "direction", name: "direction" });
  const periodSelect = h("select", { id: "period", name: "period" });
  replace(controls,
    h("div", { class: "field" }, labelA, selectA),
    h("div", { class: "field swap-field" }, swap),
    h("div", { class: "field" }, labelB, selectB),
    h("div", { class: "field" }, labelBy, selectBy),
    h("div", { class: "field" }, h("label", { for: "direction" }, "Direction"), selectDir));

  function fillDirections() {
    replace(selectDir, ["both", "ab", "ba"].map((dir) =>
      h("option", { value: dir }, directionLabel(state, dir))));
    selectDir.value = state.dir;
  }

  let timeline = null;
  let rows = [];
  // Answers can arrive out of order when the user clicks quickly; only the latest counts.
  let timelineToken = 0;
  let periodToken = 0;

  async function loadTimeline() {
    fillDirections();
    writeHash(state);
    replace(chartCard, h("h2", { id: "chart-title" }, `${state.a} and ${state.b}`),
      h("p", { class: "loading" }, "Loading the timeline…"));
    if (state.a === state.b) {
      replace(chartCard, h("h2", { id: "chart-title" }, "Pick two different actors"),
        notice("A dyad needs two actors; choose another actor for A or B."));
      replace(eventsCard);
      replace(keyCard);
      return;
    }
    const token = ++timelineToken;
    let answer;
    try {
      answer = await getJSON("/api/timeline", { a: state.a, b: state.b, by: state.by });
    } catch (error) {
      if (token !== timelineToken) return;
      replace(chartCard, h("h2", { id: "chart-title" }, `${state.a} and ${state.b}`),
        errorBox(error, "Could not load the timeline"));
      return;
    }
    if (token !== timelineToken) return;
    timeline = answer;
    drawChart();
    loadKeyEvents();
    await showPeriod(state.period);
  }

  function drawChart() {
    chart?.finalize();
    chart = null;
    rows = timeline.rows.filter((r) => r.direction === directionKey(state));
    const withEvents = rows.filter((r) => r.events > 0);
    const total = withEvents.reduce((sum, r) => sum + r.events, 0);
    const cooperation = withEvents.reduce((s, r) =>
      s + r.verbal_cooperation + r.material_cooperation, 0);
    const title = h("h2", { id: "chart-title" },
      `${state.a} ${state.dir === "both" ? "↔" : "→"} ${state.b}: cooperation and conflict ` +
      `by ${state.by}`);
    if (state.dir === "ba") title.textContent = title.textContent.replace(
      `${state.a} → ${state.b}`, `${state.b} → ${state.a}`);
    const stats = h("dl", { class: "stats" },
      h("div", {}, h("dt", {}, "Events"), h("dd", {}, total.toLocaleString("en"))),
      h("div", {}, h("dt", {}, "Cooperation"), h("dd", { class: "coop" },
        cooperation.toLocaleString("en"))),
      h("div", {}, h("dt", {}, "Conflict"), h("dd", { class: "conf" },
        (total - cooperation).toLocaleString("en"))),
      h("div", {}, h("dt", {}, "Periods with events"), h("dd", {},
        withEvents.length.toLocaleString("en"))));
    replace(periodSelect, h("option", { value: "" }, "Choose a period…"),
      withEvents.map((r) => h("option", { value: r.period },
        `${formatPeriod(r.period)} · ${plural(r.events, "event")}`)));
    periodSelect.value = withEvents.some((r) => r.period === state.period) ? state.period : "";
    const plot = h("div", { class: "chart", id: "timeline-chart" });
    replace(chartCard, h("div", { class: "card-head" }, title, stats),
      total === 0
        ? notice(timeline.message || "No events for this dyad.")
        : [plot, h("div", { class: "period-picker" },
          h("label", { for: "period" }, "Period"), periodSelect,
          h("span", { class: "hint" }, "or click a bar in the chart"))]);
    if (total === 0) return;
    drawTimeline(plot, rows, {
      by: state.by, selected: state.period, onPick: (period) => showPeriod(period, true),
      label: `Bar chart of events between ${state.a} and ${state.b} by ${state.by}: ` +
        `${total} events, ${cooperation} cooperative.`,
    }).then((drawn) => { chart = drawn; })
      .catch((error) => replace(plot, errorBox(error, "Could not draw the chart")));
  }

  async function loadKeyEvents() {
    replace(keyCard, h("h2", { id: "key-title" }, "Key events"),
      h("p", { class: "loading" }, "Loading…"));
    try {
      const data = await getJSON("/api/key-events", { a: state.a, b: state.b, top: 8 });
      replace(keyCard, h("h2", { id: "key-title" }, "Key events"),
        data.key_events.length === 0 ? h("p", { class: "muted" }, "None yet.") :
          h("ol", { class: "key-list" }, data.key_events.map((k) => h("li", {},
            h("div", { class: "key-meta" }, typeBadge(k),
              h("span", { class: "actors" }, k.actors.replace("->", "→").replace("<→", "↔")),
              h("time", { datetime: k.date || "" }, formatDate(k.date))),
            h("p", { class: "evidence" }, k.evidence),
            h("a", { href: `#/doc/${encodeURIComponent(k.doc_id)}?event=` +
              encodeURIComponent(k.event_id) }, k.title || "Open document")))));
    } catch (error) {
      replace(keyCard, h("h2", { id: "key-title" }, "Key events"), errorBox(error));
    }
  }

  async function showPeriod(period, fromChart = false) {
    state.period = period || "";
    writeHash(state);
    periodSelect.value = state.period;
    chart?.select(state.period);
    const row = rows.find((r) => r.period === state.period);
    const title = h("h2", { id: "period-title", tabindex: "-1" }, row
      ? `Events in ${formatPeriod(row.period)}` : "All events of this dyad");
    const range = row ? { since: row.start, until: row.end } : {};
    const note = row ? null : h("p", { class: "hint" },
      "Pick a period in the chart, or from the Period list, to narrow this list.");
    replace(eventsCard, title, h("p", { class: "loading" }, "Loading events…"));
    const token = ++periodToken;
    const pairs = state.dir === "ab" ? [[state.a, state.b]] : state.dir === "ba"
      ? [[state.b, state.a]] : [[state.a, state.b], [state.b, state.a]];
    let results;
    try {
      results = await Promise.all(pairs.map(([source, target]) => getJSON("/api/events",
        { source, target, ...range, limit: PAGE })));
    } catch (error) {
      if (token === periodToken) replace(eventsCard, title, errorBox(error, "Could not load the events"));
      return;
    }
    if (token !== periodToken) return;
    const events = results.flatMap((r) => r.events)
      .sort((x, y) => (x.date || "").localeCompare(y.date || ""));
    const total = results.reduce((sum, r) => sum + r.total, 0);
    replace(eventsCard, h("div", { class: "card-head" }, title,
      h("p", { class: "muted" }, total > events.length
        ? `Showing ${events.length} of ${plural(total, "event")}`
        : plural(total, "event"))),
    note, eventsTable(events));
    if (fromChart) title.focus({ preventScroll: true });
    if (fromChart) eventsCard.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  selectA.addEventListener("change", () => { state.a = selectA.value; state.period = ""; loadTimeline(); });
  selectB.addEventListener("change", () => { state.b = selectB.value; state.period = ""; loadTimeline(); });
  selectBy.addEventListener("change", () => { state.by = selectBy.value; state.period = ""; loadTimeline(); });
  selectDir.addEventListener("change", () => {
    state.dir = selectDir.value;
    drawChart();
    showPeriod(state.period);
  });
  swap.addEventListener("click", () => {
    [state.a, state.b] = [state.b, state.a];
    selectA.value = state.a;
    selectB.value = state.b;
    loadTimeline();
  });
  periodSelect.addEventListener("change", () => showPeriod(periodSelect.value));
  controls.addEventListener("submit", (event) => event.preventDefault());

  await loadTimeline();
  return heading;
}

// A table cell; on phones its label is shown beside it (see app.css).
function cell(label, className, ...children) {
  return h("td", { class: className, "data-label": label },
    h("div", { class: "cell" }, children));
}

export function eventsTable(events, { withDocument = true } = {}) {
  if (!events.length) return h("p", { class: "muted" }, "No events.");
  return h("div", { class: "table-wrap" }, h("table", { class: "events" },
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "Date"), h("th", { scope: "col" }, "Type"),
      h("th", { scope: "col" }, "Actors"), h("th", { scope: "col" }, "Evidence"),
      withDocument ? h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Document")) : null)),
    h("tbody", {}, events.map((e) => h("tr", { class: `q${e.quad_class}` },
      cell("Date", "nowrap", h("time", { datetime: e.date || "" }, formatDate(e.date)),
        e.date_source === "document" ? h("span", { class: "date-note",
          title: "Dated by the document's publication date" }, "pub. date") : null),
      cell("Type", "", typeBadge(e), h("span", { class: "quad-name" },
        (QUADS[e.quad_class] || {}).name || "")),
      cell("Actors", "nowrap", actorCell(e)),
      cell("Evidence", "evidence", e.evidence),
      withDocument ? h("td", { class: "nowrap link-cell" }, h("a", {
        class: "button small",
        href: `#/doc/${encodeURIComponent(e.doc_id)}?event=${encodeURIComponent(e.event_id)}`,
      }, "Open document")) : null)))));
}
