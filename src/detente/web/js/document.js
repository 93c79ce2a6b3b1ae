// One document with every event highlighted in place (offsets count characters from
// the start of the document's text), and a list of its events beside it.

import { getJSON } from "./api.js";
import {
  QUADS, actorCell, errorBox, formatDate, h, plural, replace, safeUrl, typeBadge,
} from "./dom.js";

// Split the text at every event boundary; each piece knows which events cover it.
export function segments(text, events) {
  const cuts = new Set([0, text.length]);
  const spans = events
    .filter((e) => e.char_start >= 0 && e.char_end <= text.length && e.char_start < e.char_end)
    .map((e) => {
      // Spans may carry the whitespace after a sentence; a highlight ends at its text.
      let [start, end] = [e.char_start, e.char_end];
      while (end > start && /\s/.test(text[end - 1])) end -= 1;
      while (start < end && /\s/.test(text[start])) start += 1;
      return { start, end, event: e };
    })
    .filter((span) => span.start < span.end);
  for (const span of spans) { cuts.add(span.start); cuts.add(span.end); }
  const points = [...cuts].sort((x, y) => x - y);
  const pieces = [];
  for (let i = 0; i < points.length - 1; i++) {
    const [start, end] = [points[i], points[i + 1]];
    const covering = spans.filter((s) => s.start <= start && s.end >= end).map((s) => s.event);
    pieces.push({ start, end, text: text.slice(start, end), events: covering });
  }
  return pieces;
}

function describe(event) {
  const target = event.target ? event.target.code : "—";
  return `${event.plover} ${event.source.code} → ${target}, ${formatDate(event.date)}`;
}

export async function renderDocument(main, docId, params) {
  const back = sessionStorage.getItem("detente.lastDyad");
  const crumbs = h("nav", { class: "crumbs", "aria-label": "Breadcrumb" },
    back ? h("a", { href: back }, "← Back to the dyad") : null,
    h("a", { href: "#/documents" }, "All documents"));
  replace(main, crumbs, h("p", { class: "loading" }, "Loading the document…"));
  let data;
  try {
    data = await getJSON(`/api/docs/${encodeURIComponent(docId)}`);
  } catch (error) {
    const heading = h("h1", { tabindex: "-1" }, "Document not found");
    replace(main, crumbs, heading, errorBox(error, "Could not open the document"));
    return heading;
  }
  const doc = data.document;
  // In reading order, as they appear in the text.
  const events = [...data.events].sort((x, y) => x.char_start - y.char_start
    || x.sentence_index - y.sentence_index);
  const heading = h("h1", { tabindex: "-1", class: "doc-title" }, doc.title || doc.doc_id);
  const url = safeUrl(doc.url);
  const meta = h("dl", { class: "doc-meta" },
    h("div", {}, h("dt", {}, "Published"), h("dd", {}, formatDate(doc.date),
      doc.date_inferred ? h("span", { class: "date-note", title: doc.date_reason || "" },
        "inferred") : null)),
    doc.source ? h("div", {}, h("dt", {}, "Source"), h("dd", {}, doc.source)) : null,
    url ? h("div", {}, h("dt", {}, "URL"), h("dd", {}, h("a", { href: url, rel: "noreferrer",
      target: "_blank" }, doc.url))) : null,
    h("div", {}, h("dt", {}, "Coded"), h("dd", {}, plural(events.length, "event"))),
    h("div", {}, h("dt", {}, "Id"), h("dd", {}, h("code", {}, doc.doc_id))));

  const marks = new Map();
  const article = h("article", { class: "doc-text", "aria-label": "Document text" },
    segments(doc.text || "", events).map((piece) => {
      if (!piece.events.length) return piece.text;
      const quad = Math.max(...piece.events.map((e) => e.quad_class));
      const mark = h("mark", {
        class: `event-mark q${quad}`, tabindex: "-1",
        title: piece.events.map(describe).join("\n"),
        dataset: { events: piece.events.map((e) => e.event_id).join(" ") },
      }, piece.text);
      for (const event of piece.events) {
        if (!marks.has(event.event_id)) marks.set(event.event_id, mark);
      }
      return mark;
    }));

  function focusEvent(eventId, scroll = true) {
    for (const el of main.querySelectorAll(".event-mark.current, .event-item.current")) {
      el.classList.remove("current");
    }
    const mark = marks.get(eventId);
    const item = main.querySelector(`[data-event-item="${CSS.escape(eventId)}"]`);
    item?.classList.add("current");
    if (!mark) return;
    mark.classList.add("current");
    if (scroll) mark.scrollIntoView({ behavior: "smooth", block: "center" });
    mark.focus({ preventScroll: true });
  }

  const list = h("ol", { class: "event-list" }, events.map((e) => h("li", {
    class: "event-item", dataset: { eventItem: e.event_id },
  },
  h("button", { type: "button", class: "event-button", onclick: () => focusEvent(e.event_id) },
    h("span", { class: "key-meta" }, typeBadge(e), actorCell(e),
      h("time", { datetime: e.date || "" }, formatDate(e.date))),
    h("span", { class: "quad-name" }, `${(QUADS[e.quad_class] || {}).name || ""} · CAMEO ` +
      `${e.cameo} · Goldstein ${e.goldstein}`)))));

  replace(main, crumbs, h("div", { class: "page-head" }, heading, meta),
    h("div", { class: "doc-layout" },
      h("section", { class: "card", "aria-label": "Text" },
        h("p", { class: "legend" }, "Highlighted: the sentences the events were coded " +
          "from, coloured by quad class (the most conflictual one where a sentence holds " +
          "several events)."), article),
      h("aside", { class: "card", "aria-labelledby": "doc-events-title" },
        h("h2", { id: "doc-events-title" }, "Events in this document"),
        events.length ? list : h("p", { class: "muted" }, "No events were coded in this " +
          "document."))));
  const wanted = params.get("event");
  if (wanted && marks.has(wanted)) {
    requestAnimationFrame(() => focusEvent(wanted));
    return null;
  }
  return heading;
}
