// The network view: who acts on whom (GET /api/network). The busiest actors sit on a
// circle; a line joins two actors with events between them, as thick as their number and
// coloured by whether they are mostly cooperative (green) or conflictual (red). The edge
// table lists the same pairs, links to their dyad view, and downloads as CSV.

import { getJSON } from "./api.js";
import { csvButton, errorBox, h, notice, plural, replace, s } from "./dom.js";

const SIZE = 560;
const TOPS = [10, 20, 40];

// An undirected pair's numbers: both directions of the edges between two actors.
function pairs(edges, shown) {
  const found = new Map();
  for (const e of edges) {
    if (e.source === e.target || !shown.has(e.source) || !shown.has(e.target)) continue;
    const key = [e.source, e.target].sort().join(" ");
    const pair = found.get(key) || { a: key.split(" ")[0], b: key.split(" ")[1], events: 0,
      cooperation: 0, conflict: 0, goldstein_sum: 0 };
    pair.events += e.events;
    pair.cooperation += e.cooperation;
    pair.conflict += e.conflict;
    pair.goldstein_sum = Math.round((pair.goldstein_sum + e.goldstein_sum) * 1000) / 1000;
    found.set(key, pair);
  }
  return [...found.values()].sort((x, y) => y.events - x.events || x.a.localeCompare(y.a));
}

function tone(pair) {
  if (pair.cooperation > pair.conflict) return "coop";
  return pair.conflict > pair.cooperation ? "conf" : "mixed";
}

function graph(nodes, links) {
  const centre = SIZE / 2;
  const radius = SIZE / 2 - 60;
  const place = new Map(nodes.map((n, i) => {
    const angle = (2 * Math.PI * i) / nodes.length - Math.PI / 2;
    return [n.id, { x: centre + radius * Math.cos(angle), y: centre + radius * Math.sin(angle),
      angle }];
  }));
  const most = Math.max(1, ...links.map((l) => l.events));
  const strongest = Math.max(1, ...nodes.map((n) => n.strength));
  return s("svg", { viewBox: `0 0 ${SIZE} ${SIZE}`, class: "network-graph", role: "img",
    "aria-label": `Network of ${plural(nodes.length, "actor")} and ` +
      `${plural(links.length, "pair")}; the table below lists them.` },
  s("g", { class: "links" }, links.map((l) => {
    const from = place.get(l.a);
    const to = place.get(l.b);
    return s("line", { x1: from.x, y1: from.y, x2: to.x, y2: to.y, class: `link ${tone(l)}`,
      "stroke-width": 1 + (7 * l.events) / most },
    s("title", {}, `${l.a} ↔ ${l.b}: ${plural(l.events, "event")}, ` +
      `${l.cooperation} cooperative, ${l.conflict} conflictual`));
  })),
  s("g", { class: "nodes" }, nodes.map((n) => {
    const at = place.get(n.id);
    const outward = Math.cos(at.angle) >= 0 ? "start" : "end";
    const r = 5 + (13 * n.strength) / strongest;
    return s("g", { class: "node" },
      s("circle", { cx: at.x, cy: at.y, r }, s("title", {},
        `${n.id}: ${n.events_sent} sent, ${n.events_received} received`)),
      s("text", { x: at.x + Math.cos(at.angle) * (r + 6), y: at.y + Math.sin(at.angle) * (r + 6),
        "text-anchor": outward, "dominant-baseline": "middle" }, n.id));
  })));
}

export async function renderNetwork(main, params) {
  const heading = h("h1", { tabindex: "-1" }, "Network");
  const card = h("section", { class: "card", "aria-labelledby": "network-title" });
  replace(main, h("div", { class: "page-head" }, heading, h("p", { class: "lede" },
    "Who acts on whom, over all stored events. Thicker lines are more events; green " +
    "pairs are mostly cooperative, red mostly conflictual.")), card);
  let network;
  try {
    network = await getJSON("/api/network");
  } catch (error) {
    replace(card, errorBox(error, "Could not load the network"));
    return heading;
  }
  if (!network.edges.length) {
    replace(card, notice(network.message || "There are no events between two actors yet."));
    return heading;
  }
  let top = TOPS.includes(Number(params.get("top"))) ? Number(params.get("top")) : TOPS[1];
  const selectTop = h("select", { id: "network-top", name: "top" },
    TOPS.map((n) => h("option", { value: n }, `${n} busiest actors`)));
  selectTop.value = String(top);

  function draw() {
    history.replaceState(null, "", `#/network?top=${top}`);
    const nodes = network.nodes.slice(0, top);
    const links = pairs(network.edges, new Set(nodes.map((n) => n.id)));
    const columns = ["a", "b", "events", "cooperation", "conflict", "goldstein_sum"];
    replace(card, h("div", { class: "card-head" },
      h("h2", { id: "network-title" }, `${plural(nodes.length, "actor")}, ` +
        `${plural(links.length, "pair")}`),
      h("div", { class: "field" }, h("label", { for: "network-top" }, "Show"), selectTop),
      csvButton("network.csv", () => ({ columns, rows: links }))),
    h("div", { class: "network-wrap", id: "network-graph" }, graph(nodes, links)),
    h("div", { class: "table-wrap" }, h("table", { class: "network-table" },
      h("thead", {}, h("tr", {}, ["Pair", "Events", "Cooperation", "Conflict",
        "Goldstein sum"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, links.map((l) => h("tr", {},
        h("td", {}, h("a", { href: `#/dyad?a=${encodeURIComponent(l.a)}&b=` +
          encodeURIComponent(l.b) }, `${l.a} ↔ ${l.b}`)),
        h("td", { class: "num" }, l.events), h("td", { class: "num" }, l.cooperation),
        h("td", { class: "num" }, l.conflict), h("td", { class: "num" }, l.goldstein_sum)))))));
  }

  selectTop.addEventListener("change", () => {
    top = Number(selectTop.value);
    draw();
  });
  draw();
  return heading;
}
