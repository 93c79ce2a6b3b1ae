// The dashboard's router: views keyed by the URL hash (#/, #/compare, #/network,
// #/documents, #/doc/ID, #/api).

import { getJSON } from "./api.js";
import { renderApi } from "./apiref.js";
import { renderCompare } from "./compare.js";
import { renderDocument } from "./document.js";
import { renderDocuments } from "./documents.js";
import { renderDyad } from "./dyad.js";
import { renderNetwork } from "./network.js";
import { errorBox, plural, replace } from "./dom.js";

const main = document.getElementById("main");
const status = document.getElementById("db-status");
let firstRender = true;

async function refreshStatus() {
  try {
    const health = await getJSON("/api/health");
    status.textContent = `${health.db} · ${plural(health.counts.documents, "document")} · ` +
      plural(health.counts.events, "event");
  } catch (error) {
    status.textContent = "Database unavailable";
  }
}

function parseHash() {
  const hash = location.hash.startsWith("#/") ? location.hash.slice(2) : "";
  const [path, query = ""] = hash.split("?");
  return { parts: path.split("/").filter(Boolean).map(decodeURIComponent),
    params: new URLSearchParams(query) };
}

async function route() {
  if (location.hash && !location.hash.startsWith("#/")) return;  // in-page anchors
  const { parts, params } = parseHash();
  const view = parts[0] || "dyad";
  for (const link of document.querySelectorAll(".nav a")) {
    const current = link.dataset.view === (view === "doc" ? "documents" : view);
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  let heading = null;
  try {
    if (view === "dyad") heading = await renderDyad(main, params);
    else if (view === "compare") heading = await renderCompare(main, params);
    else if (view === "network") heading = await renderNetwork(main, params);
    else if (view === "documents") {
      heading = await renderDocuments(main, { onChange: refreshStatus });
    }
    else if (view === "doc" && parts[1]) heading = await renderDocument(main, parts[1], params);
    else if (view === "api") heading = await renderApi(main);
    else replace(main, errorBox({ message: `There is no page #/${parts.join("/")}.` },
      "Page not found"));
  } catch (error) {
    replace(main, errorBox(error));
  }
  document.title = `${heading ? heading.textContent : "detente"} · detente`;
  if (heading && !firstRender) heading.focus({ preventScroll: true });
  if (!firstRender && heading) window.scrollTo(0, 0);
  firstRender = false;
}

document.getElementById("skip-link").addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});
window.addEventListener("hashchange", route);
refreshStatus();
route();
