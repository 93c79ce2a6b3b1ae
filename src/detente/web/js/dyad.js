// The dyad view: pick two actors → timeline by period (raw counts or per 100 documents,
// with the mean Goldstein line) → a period's events with their evidence → open the
// document. State lives in the URL hash, so a view can be shared; each table on screen
// downloads as CSV.

import { getJSON } from "./api.js";
import { drawTimeline } from "./chart.js";
import {
  MEASURES, QUADS, actorCell, csvButton, errorBox, formatDate, formatPeriod, h, notice,
  perDocuments, plural, replace, typeBadge,
} from "./dom.js";

const PAGE = 100;
let chart = null;

function writeHash(state) {
  const query = new URLSearchParams();
  for (const key of ["a", "b", "by", "dir", "measure", "history", "raw", "from", "to",
    "period"]) {
    if (state[key]) query.set(key, state[key]);
  }
  history.replaceState(null, "", `#/dyad?${query}`);
  sessionStorage.setItem("detente.lastDyad", location.hash);
}

function field(id, label, control) {
  control.id = id;
  control.name = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

function options(select, pairs, value) {
  replace(select, pairs.map(([optionValue, text]) => h("option", { value: optionValue }, text)));
  select.value = value;
}

function directionKey(state) {
  if (state.dir === "ab") return `${state.a}->${state.b}`;
  if (state.dir === "ba") return `${state.b}->${state.a}`;
  return "both";
}

function arrowTitle(state) {
  if (state.dir === "ab") return `${state.a} → ${state.b}`;
  if (state.dir === "ba") return `${state.b} → ${state.a}`;
  return `${state.a} ↔ ${state.b}`;
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
  if (nodes.length < 2 || network.edges.length === 0) {
    controls.remove();
    replace(chartCard, notice("There are no events between two actors yet. Add documents " +
      "on the Documents page and they will appear here."));
    eventsCard.remove();
    keyCard.remove();
    return heading;
  }
  const busiest = [...network.edges].sort((x, y) => y.events - x.events)[0];
  const codes = new Set(nodes.map((n) => n.code));
  const pick = (key, allowed, fallback) => (allowed(params.get(key)) ? params.get(key) : fallback);
  const state = {
    a: pick("a", (v) => codes.has(v), busiest.source),
    b: pick("b", (v) => codes.has(v), busiest.target),
    by: pick("by", (v) => ["month", "quarter", "year"].includes(v), "month"),
    dir: pick("dir", (v) => ["both", "ab", "ba"].includes(v), "both"),
    measure: pick("measure", (v) => v in MEASURES, "events"),
    // "1": historical events (dated years before their article) are in the timeline.
    history: params.get("history") === "1" ? "1" : "",
    // "1": every report counts, not one canonical event per happening.
    raw: params.get("raw") === "1" ? "1" : "",
    from: params.get("from") || "",
    to: params.get("to") || "",
    period: params.get("period") || "",
  };

  const selectA = h("select");
  const selectB = h("select");
  const actorOptions = nodes.map((n) => [n.code,
    `${n.code} (${plural(n.events_sent + n.events_received, "event")})`]);
  options(selectA, actorOptions, state.a);
  options(selectB, actorOptions, state.b);
  const swap = h("button", { type: "button", class: "button secondary swap",
    title: "Swap A and B" }, h("span", { "aria-hidden": "true" }, "⇄"), " Swap");
  const selectBy = h("select", { class: "narrow" });
  options(selectBy, [["month", "Month"], ["quarter", "Quarter"], ["year", "Year"]], state.by);
  const selectDir = h("select");
  const selectMeasure = h("select");
  options(selectMeasure, Object.entries(MEASURES).map(([key, m]) => [key, m.label]),
    state.measure);
  const selectFrom = h("select", { class: "narrow" });
  const selectTo = h("select", { class: "narrow" });
  const periodSelect = h("select", { id: "period", name: "period" });
  const historyBox = h("input", { type: "checkbox", id: "history", name: "history",
    checked: state.history === "1" });
  const rawBox = h("input", { type: "checkbox", id: "raw", name: "raw",
    checked: state.raw === "1" });
  replace(controls,
    field("actor-a", "Actor A", selectA),
    h("div", { class: "field swap-field" }, swap),
    field("actor-b", "Actor B", selectB),
    field("direction", "Direction", selectDir),
    field("group-by", "Group by", selectBy),
    field("measure", "Show", selectMeasure),
    field("from-year", "From", selectFrom),
    field("to-year", "To", selectTo),
    h("div", { class: "field check-field" }, h("label", { class: "check", for: "history",
      title: "Include events that articles recall from years before they were written" },
    historyBox, "Historical events")),
    h("div", { class: "field check-field" }, h("label", { class: "check", for: "raw",
      title: "Count each article's report of an event, rather than each event once however "
        + "many articles report it" },
    rawBox, "Every report")));

  let timeline = null;
  let rows = [];
  // Answers can arrive out of order when the user clicks quickly; only the latest counts.
  let timelineToken = 0;
  let periodToken = 0;
  let keyToken = 0;

  const range = () => ({ since: state.from || undefined, until: state.to || undefined });
  const view = () => ({ raw: state.raw ? "true" : undefined });

  async function loadTimeline() {
    options(selectDir, [["both", "Both directions"], ["ab", `${state.a} → ${state.b}`],
      ["ba", `${state.b} → ${state.a}`]], state.dir);
    writeHash(state);
    replace(chartCard, h("h2", { id: "chart-title" }, arrowTitle(state)),
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
      answer = await getJSON("/api/timeline", { a: state.a, b: state.b, by: state.by,
        history: state.history ? "true" : undefined, ...view() });
    } catch (error) {
      if (token === timelineToken) {
        replace(chartCard, h("h2", { id: "chart-title" }, arrowTitle(state)),
          errorBox(error, "Could not load the timeline"));
      }
      return;
    }
    if (token !== timelineToken) return;
    timeline = answer;
    const both = timeline.rows.filter((r) => r.direction === "both");
    const years = [...new Set(both.map((r) => r.start.slice(0, 4)))];
    if (years.length) {
      if (!years.includes(state.from)) state.from = years[0];
      if (!years.includes(state.to) || state.to < state.from) state.to = years[years.length - 1];
      options(selectFrom, years.map((y) => [y, y]), state.from);
      options(selectTo, years.map((y) => [y, y]), state.to);
    }
    await showRange();
  }

  async function showRange() {
    drawChart();
    loadKeyEvents();
    await showPeriod(state.period);
  }

  function drawChart() {
    chart?.finalize();
    chart = null;
    const inRange = (r) => (!state.from || r.start.slice(0, 4) >= state.from)
      && (!state.to || r.start.slice(0, 4) <= state.to);
    const all = timeline.rows.filter((r) => r.direction === directionKey(state));
    rows = all.filter(inRange);
    const hidden = all.filter((r) => !inRange(r)).reduce((sum, r) => sum + r.events, 0);
    const withEvents = rows.filter((r) => r.events > 0);
    const total = withEvents.reduce((sum, r) => sum + r.events, 0);
    const cooperation = withEvents.reduce((s, r) =>
      s + r.verbal_cooperation + r.material_cooperation, 0);
    const perDocs = state.measure === "per_documents";
    const title = h("h2", { id: "chart-title" },
      `${arrowTitle(state)}: cooperation and conflict by ${state.by}` +
      (perDocs ? ", per 100 documents" : ""));
    const stats = h("dl", { class: "stats" },
      h("div", {}, h("dt", {}, "Events"), h("dd", {}, total.toLocaleString("en"))),
      h("div", {}, h("dt", {}, "Cooperation"), h("dd", { class: "coop" },
        cooperation.toLocaleString("en"))),
      h("div", {}, h("dt", {}, "Conflict"), h("dd", { class: "conf" },
        (total - cooperation).toLocaleString("en"))),
      h("div", {}, h("dt", {}, "Periods with events"), h("dd", {},
        withEvents.length.toLocaleString("en"))));
    options(periodSelect, [["", "Choose a period…"], ...withEvents.map((r) =>
      [r.period, `${formatPeriod(r.period)} · ${plural(r.events, "event")}`])], "");
    if (!withEvents.some((r) => r.period === state.period)) state.period = "";
    periodSelect.value = state.period;
    const plot = h("div", { class: "chart", id: "timeline-chart" });
    const outside = hidden ? h("p", { class: "hint range-note" },
      `${plural(hidden, "event")} outside ${state.from}–${state.to}; widen From or To to ` +
      "see them.") : null;
    const leftOut = timeline.history_note ? h("p", { class: "hint range-note history-note" },
      `${timeline.history_note}; tick “Historical events” to include them.`) : null;
    const legend = h("p", { class: "hint chart-note" }, "Line: mean Goldstein score of the " +
      "period's events, from −10 (conflict) to +10 (cooperation), on the right axis." +
      (perDocs ? " Bars: events per 100 documents published in the period (any dyad's)." : ""));
    const download = csvButton(`${state.a}-${state.b}-${state.by}.csv`, () => timelineCsv(rows));
    replace(chartCard, h("div", { class: "card-head" }, title, stats),
      total === 0
        ? notice(timeline.message || "No events for this dyad in these years.")
        : [plot, legend, h("div", { class: "period-picker" },
          h("label", { for: "period" }, "Period"), periodSelect,
          h("span", { class: "hint" }, "or click a bar in the chart"), download)],
      outside, leftOut);
    if (total === 0) return;
    drawTimeline(plot, rows, {
      by: state.by, selected: state.period, onPick: (period) => showPeriod(period, true),
      measure: state.measure,
      label: `Bar chart of events between ${state.a} and ${state.b} by ${state.by}: ` +
        `${total} events, ${cooperation} cooperative.`,
    }).then((drawn) => { chart = drawn; })
      .catch((error) => replace(plot, errorBox(error, "Could not draw the chart")));
  }

  async function loadKeyEvents() {
    const token = ++keyToken;
    const head = h("h2", { id: "key-title" }, "Key events");
    replace(keyCard, head, h("p", { class: "loading" }, "Loading…"));
    let data;
    try {
      data = await getJSON("/api/key-events", { a: state.a, b: state.b, top: 8, ...range(),
        ...view() });
    } catch (error) {
      if (token === keyToken) replace(keyCard, head, errorBox(error));
      return;
    }
    if (token !== keyToken) return;
    replace(keyCard, head, data.key_events.length === 0
      ? h("p", { class: "muted" }, "None in these years.")
      : h("ol", { class: "key-list" }, data.key_events.map((k) => h("li", {},
        h("div", { class: "key-meta" }, typeBadge(k),
          h("span", { class: "actors" }, k.mutual ? `${k.source} ↔ ${k.target}`
            : `${k.source} → ${k.target}`),
          h("time", { datetime: k.date || "" }, formatDate(k.date))),
        h("p", { class: "evidence" }, k.evidence),
        h("a", { href: `#/doc/${encodeURIComponent(k.doc_id)}?event=` +
          encodeURIComponent(k.event_id) }, k.title || "Open document")))));
  }

  async function showPeriod(period, fromChart = false) {
    state.period = period || "";
    writeHash(state);
    periodSelect.value = state.period;
    chart?.select(state.period);
    const row = rows.find((r) => r.period === state.period);
    const title = h("h2", { id: "period-title", tabindex: "-1" }, row
      ? `Events in ${formatPeriod(row.period)}`
      : `All events, ${state.from}–${state.to}`);
    const dates = row ? { since: row.start, until: row.end } : range();
    const note = row ? null : h("p", { class: "hint" },
      "Pick a period in the chart, or from the Period list, to narrow this list.");
    replace(eventsCard, title, h("p", { class: "loading" }, "Loading events…"));
    const token = ++periodToken;
    const pairs = state.dir === "ab" ? [[state.a, state.b]] : state.dir === "ba"
      ? [[state.b, state.a]] : [[state.a, state.b], [state.b, state.a]];
    // One page per direction; "Show more" asks each direction for its next page.
    const pages = pairs.map(([source, target]) => ({ source, target, offset: 0, total: 1 }));
    let events = [];
    const more = h("button", { type: "button", class: "button secondary" });
    const count = h("p", { class: "muted" });
    const body = h("div", {});

    async function nextPages() {
      const wanted = pages.filter((p) => p.offset < p.total);
      const results = await Promise.all(wanted.map((p) => getJSON("/api/events", {
        source: p.source, target: p.target, ...dates, limit: PAGE, offset: p.offset,
        ...view() })));
      if (token !== periodToken) return false;
      wanted.forEach((p, i) => {
        p.total = results[i].total;
        p.offset += results[i].events.length;
      });
      events = events.concat(results.flatMap((r) => r.events))
        .sort((x, y) => (x.date || "").localeCompare(y.date || ""));
      const total = pages.reduce((sum, p) => sum + p.total, 0);
      count.textContent = total > events.length
        ? `Showing ${events.length} of ${plural(total, "event")}` : plural(total, "event");
      more.textContent = `Show ${Math.min(PAGE * wanted.length, total - events.length)} more`;
      const download = csvButton(`${state.a}-${state.b}-events.csv`, () => eventsCsv(events));
      replace(body, eventsTable(events), h("div", { class: "actions more" },
        total > events.length ? more : null, download));
      return true;
    }

    try {
      if (!await nextPages()) return;
    } catch (error) {
      if (token === periodToken) {
        replace(eventsCard, title, errorBox(error, "Could not load the events"));
      }
      return;
    }
    replace(eventsCard, h("div", { class: "card-head" }, title, count), note, body);
    more.addEventListener("click", async () => {
      more.disabled = true;
      const shown = events.length;
      try {
        await nextPages();
      } catch (error) {
        body.append(errorBox(error, "Could not load more events"));
      }
      more.disabled = false;
      body.querySelectorAll("table.events tbody tr")[shown]?.querySelector("a")?.focus();
    });
    if (fromChart) {
      title.focus({ preventScroll: true });
      eventsCard.scrollIntoView({ behavior: "smooth", block: "start" });
    }
  }

  const restart = () => {
    state.period = "";
    state.from = "";
    state.to = "";
    loadTimeline();
  };
  selectA.addEventListener("change", () => { state.a = selectA.value; restart(); });
  selectB.addEventListener("change", () => { state.b = selectB.value; restart(); });
  selectBy.addEventListener("change", () => {
    state.by = selectBy.value;
    state.period = "";
    loadTimeline();
  });
  historyBox.addEventListener("change", () => {
    state.history = historyBox.checked ? "1" : "";
    restart();
  });
  rawBox.addEventListener("change", () => {
    state.raw = rawBox.checked ? "1" : "";
    restart();
  });
  selectDir.addEventListener("change", () => {
    state.dir = selectDir.value;
    showRange();
  });
  selectMeasure.addEventListener("change", () => {
    state.measure = selectMeasure.value;
    writeHash(state);
    drawChart();
  });
  for (const [select, key] of [[selectFrom, "from"], [selectTo, "to"]]) {
    select.addEventListener("change", () => {
      state[key] = select.value;
      if (state.from > state.to) {
        state.from = state.to = select.value;
        selectFrom.value = selectTo.value = select.value;
      }
      showRange();
    });
  }
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

const TIMELINE_COLUMNS = ["period", "start", "end", "direction", "verbal_cooperation",
  "material_cooperation", "verbal_conflict", "material_conflict", "events", "documents",
  "events_per_100_documents", "goldstein_sum", "goldstein_mean", "net_cooperation"];

// The chart's rows as CSV: the shown direction and years, with the normalised count.
export function timelineCsv(rows) {
  return { columns: TIMELINE_COLUMNS, rows: rows.map((r) => ({ ...r,
    events_per_100_documents: perDocuments(r.events, r.documents) })) };
}

const EVENT_COLUMNS = ["date", "date_precision", "source", "target", "plover", "cameo",
  "quad_class", "goldstein", "evidence", "doc_id", "event_id"];

function eventsCsv(events) {
  const actor = (a) => (a && a.code ? [a.code, a.sector].filter(Boolean).join(" ") : "");
  return { columns: EVENT_COLUMNS, rows: events.map((e) => ({ ...e,
    source: actor(e.source), target: actor(e.target) })) };
}

// A table cell; on phones its label is shown beside it (see app.css).
function cell(label, className, ...children) {
  return h("td", { class: className, "data-label": label },
    h("div", { class: "cell" }, children));
}

export function eventsTable(events) {
  if (!events.length) return h("p", { class: "muted" }, "No events.");
  return h("div", { class: "table-wrap" }, h("table", { class: "events" },
    h("thead", {}, h("tr", {}, ["Date", "Type", "Actors", "Evidence"].map((c) =>
      h("th", { scope: "col" }, c)))),
    h("tbody", {}, events.map((e) => h("tr", { class: `q${e.quad_class}` },
      cell("Date", "nowrap", h("time", { datetime: e.date || "" }, formatDate(e.date)),
        e.date_source === "document" ? h("span", { class: "date-note",
          title: "Dated by the document's publication date" }, "pub. date") : null),
      cell("Type", "", typeBadge(e), h("span", { class: "quad-name" },
        (QUADS[e.quad_class] || {}).name || "")),
      cell("Actors", "nowrap", actorCell(e)),
      cell("Evidence", "evidence", h("span", { class: "evidence-text" }, e.evidence),
        h("a", {
          class: "doc-link",
          href: `#/doc/${encodeURIComponent(e.doc_id)}?event=${encodeURIComponent(e.event_id)}`,
        }, "Open document")))))));
}
