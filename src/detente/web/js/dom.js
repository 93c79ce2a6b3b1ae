// Small DOM helpers. Text from the database only ever reaches the page as text nodes
// (never parsed as HTML), and links from the database only with http(s) URLs.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function safeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

// Quad classes, in the order the chart stacks them (cooperation up, conflict down).
export const QUADS = {
  1: { key: "verbal_cooperation", name: "Verbal cooperation", color: "#7fbf7b" },
  2: { key: "material_cooperation", name: "Material cooperation", color: "#1b7837" },
  3: { key: "verbal_conflict", name: "Verbal conflict", color: "#f4a582" },
  4: { key: "material_conflict", name: "Material conflict", color: "#b2182b" },
};

export function typeBadge(event) {
  const quad = QUADS[event.quad_class];
  return h("span", {
    class: `badge q${event.quad_class}`,
    title: quad ? `${quad.name}, CAMEO ${event.cameo}, Goldstein ${event.goldstein}` : "",
  }, event.plover);
}

export function actorText(actor) {
  if (!actor || !actor.code) return "—";
  return actor.sector ? `${actor.code} ${actor.sector}` : actor.code;
}

export function actorCell(event) {
  const source = event.source || {};
  const target = event.target || {};
  return h("span", { class: "actors" },
    h("abbr", { title: source.name || source.code || "" }, actorText(source)),
    h("span", { class: "arrow", "aria-label": "to" }, " → "),
    h("abbr", { title: target.name || target.code || "" }, actorText(target)));
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
  "Dec"];

// "2014-03-18" → "18 Mar 2014", "2014-03" → "Mar 2014", "2014-Q1" and "2014" unchanged.
export function formatDate(value) {
  if (!value) return "undated";
  const match = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(value);
  if (!match) return value;
  const month = MONTHS[Number(match[2]) - 1];
  return match[3] ? `${Number(match[3])} ${month} ${match[1]}` : `${month} ${match[1]}`;
}

export function formatPeriod(period) {
  return /^\d{4}-\d{2}$/.test(period) ? formatDate(period) : period.replace("-Q", " Q");
}

export function plural(count, word, many = `${word}s`) {
  return `${count.toLocaleString("en")} ${count === 1 ? word : many}`;
}

export function errorBox(error, title = "Something went wrong") {
  const body = (error && error.body) || {};
  return h("div", { class: "notice error", role: "alert" },
    h("p", { class: "notice-title" }, title),
    h("p", {}, body.error || (error && error.message) || String(error)),
    body.hint ? h("p", { class: "hint" }, body.hint) : null);
}

export function notice(text, kind = "info") {
  return h("div", { class: `notice ${kind}` }, h("p", {}, text));
}

const SVG = "http://www.w3.org/2000/svg";

// An SVG element, as `h` makes HTML ones (text only ever as text nodes).
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else el.setAttribute(key, String(value));
  }
  return append(el, children);
}

// One CSV field: quoted when it holds a comma, a quote or a line break. A field that a
// spreadsheet would run as a formula (=, +, -, @ first) is prefixed with a quote mark.
function csvField(value) {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvText(columns, rows) {
  const lines = [columns.map(csvField).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

// A "Download CSV" button for what a view shows: `data()` gives { columns, rows } at the
// moment of the click, so the file always holds what is on screen.
export function csvButton(filename, data, label = "Download CSV") {
  return h("button", {
    type: "button", class: "button secondary csv-download",
    onclick: () => {
      const { columns, rows } = data();
      const url = URL.createObjectURL(new Blob([csvText(columns, rows)],
        { type: "text/csv;charset=utf-8" }));
      const link = h("a", { href: url, download: filename, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
  }, label);
}

// How a dyad's counts are shown: raw, or per 100 documents published in the period.
export const MEASURES = {
  events: { label: "Events", unit: "Events" },
  per_documents: { label: "Events per 100 documents", unit: "Events per 100 documents" },
};

export function perDocuments(count, documents) {
  return documents ? Math.round((count / documents) * 10000) / 100 : null;
}
