// The documents page: upload (drag and drop, or the file input), the stored documents
// and the inputs that failed to ingest.

import { getJSON, uploadFiles } from "./api.js";
import { errorBox, formatDate, h, plural, replace } from "./dom.js";

const ACCEPT = ".txt,.md,.markdown,.html,.htm,.pdf,.jsonl,.ndjson";

// Uploaded files are ingested from a temporary folder; show just the uploaded name.
const UPLOAD_PATH = /\/[^\s:]*detente-upload-[^/\s]+\/\d+\//g;

export function shownInput(text) {
  return (text || "").replace(UPLOAD_PATH, "upload: ");
}

// "a.txt: empty file" reported for input "a.txt" is shown once, not twice.
function failureText(failure) {
  const message = shownInput(failure.message);
  const input = shownInput(failure.input);
  return message.startsWith(input) ? message.slice(input.length).replace(/^[:\s]+/, "")
    : message;
}

export async function renderDocuments(main, { onChange }) {
  const heading = h("h1", { tabindex: "-1" }, "Documents");
  const docsCard = h("section", { class: "card", "aria-labelledby": "docs-title" });
  const errorsCard = h("section", { class: "card", "aria-labelledby": "errors-title" });
  const result = h("div", { class: "upload-result", id: "upload-result",
    "aria-live": "polite" });
  const picked = h("p", { class: "picked muted", id: "picked" }, "No files chosen.");
  const input = h("input", { type: "file", id: "file-input", name: "files", multiple: true,
    accept: ACCEPT, "aria-describedby": "upload-help picked" });
  const submit = h("button", { type: "submit", class: "button", disabled: true }, "Upload");
  const zone = h("div", { class: "dropzone", id: "dropzone" },
    h("p", { class: "dropzone-title" }, "Drop files here"),
    h("p", { class: "muted", id: "upload-help" },
      "Text, Markdown, HTML, PDF or JSONL (one document per line). Each file is read, " +
      "split into sentences and coded; bad files are reported and skipped."),
    h("div", { class: "file-row" },
      h("label", { for: "file-input", class: "file-label" }, "Or choose files:"), input),
    picked);
  const form = h("form", { class: "upload-form", "aria-labelledby": "upload-title" },
    h("h2", { id: "upload-title" }, "Add documents"), zone,
    h("div", { class: "actions" }, submit), result);
  replace(main, h("div", { class: "page-head" }, heading,
    h("p", { class: "lede" }, "Everything in the database, and a place to add more.")),
  h("section", { class: "card" }, form), docsCard, errorsCard);

  let chosen = [];
  function choose(files) {
    chosen = [...files];
    submit.disabled = chosen.length === 0;
    submit.textContent = chosen.length ? `Upload ${plural(chosen.length, "file")}` : "Upload";
    picked.textContent = chosen.length ? chosen.map((f) => f.name).join(", ")
      : "No files chosen.";
  }

  async function send(files) {
    if (!files.length) return;
    submit.disabled = true;
    zone.classList.add("busy");
    replace(result, h("p", { class: "loading" }, `Ingesting ${plural(files.length, "file")}…`));
    let report = null;
    try {
      report = await uploadFiles(files);
    } catch (error) {
      if (error.body && Array.isArray(error.body.failures)) report = error.body;
      else replace(result, errorBox(error, "The upload failed"));
    }
    zone.classList.remove("busy");
    form.reset();
    choose([]);
    const [docs] = await Promise.all([loadDocs(), loadErrors()]);
    if (report) showReport(report, new Map((docs || []).map((d) => [d.doc_id, d.title])));
    onChange();
  }

  function showReport(report, titles = new Map()) {
    const failures = report.failures || [];
    const added = report.added || [];
    const present = report.present || [];
    replace(result, h("div", { class: `notice ${failures.length ? "warn" : "ok"}`, role: "status" },
      h("p", { class: "notice-title" },
        `Added ${plural(added.length, "document")}` +
        (present.length ? `, ${present.length} already stored` : "") +
        (report.events !== undefined ? `, ${plural(report.events, "event")} coded` : "") +
        (failures.length ? `; ${plural(failures.length, "input")} failed` : "") + "."),
      added.length ? h("ul", { class: "added" }, added.map((id) =>
        h("li", {}, h("a", { href: `#/doc/${encodeURIComponent(id)}` },
          titles.get(id) || id)))) : null,
      failures.length ? h("ul", { class: "failures" }, failures.map((f) => h("li", {},
        h("strong", {}, shownInput(f.input)), ": ", failureText(f),
        f.hint ? h("span", { class: "hint" }, ` ${f.hint}`) : null))) : null));
  }

  input.addEventListener("change", () => choose(input.files));
  form.addEventListener("submit", (event) => { event.preventDefault(); send(chosen); });
  for (const name of ["dragenter", "dragover"]) {
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("over");
    });
  }
  for (const name of ["dragleave", "drop"]) {
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.remove("over");
    });
  }
  zone.addEventListener("drop", (event) => send([...event.dataTransfer.files]));

  async function loadDocs() {
    try {
      const data = await getJSON("/api/docs");
      replace(docsCard, h("h2", { id: "docs-title" }, `Stored documents (${data.total})`),
        data.total === 0 ? h("p", { class: "muted" }, "None yet: add some above.") :
          h("div", { class: "table-wrap" }, h("table", { class: "docs" },
            h("thead", {}, h("tr", {},
              h("th", { scope: "col" }, "Published"), h("th", { scope: "col" }, "Title"),
              h("th", { scope: "col", class: "optional" }, "Source"),
              h("th", { scope: "col", class: "num optional" }, "Sentences"),
              h("th", { scope: "col", class: "num" }, "Events"))),
            h("tbody", {}, data.documents.map((d) => h("tr", {},
              h("td", { class: "nowrap" }, formatDate(d.date),
                d.date_inferred ? h("span", { class: "date-note", title: d.date_reason },
                  "inferred") : null),
              h("td", {}, h("a", { href: `#/doc/${encodeURIComponent(d.doc_id)}` },
                d.title || d.doc_id)),
              h("td", { class: "optional" }, d.source),
              h("td", { class: "num optional" }, d.sentences),
              h("td", { class: "num" }, d.events)))))));
      return data.documents;
    } catch (error) {
      replace(docsCard, h("h2", { id: "docs-title" }, "Stored documents"), errorBox(error));
      return null;
    }
  }

  async function loadErrors() {
    try {
      const data = await getJSON("/api/errors");
      replace(errorsCard, h("h2", { id: "errors-title" }, `Ingest errors (${data.total})`),
        data.total === 0 ? h("p", { class: "muted" }, "No input has failed.") :
          h("div", { class: "table-wrap" }, h("table", { class: "errors" },
            h("thead", {}, h("tr", {}, ["When", "Input", "Code", "Problem", "What to do"]
              .map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", {}, data.errors.slice().reverse().map((e) => h("tr", {},
              h("td", { class: "nowrap" },
                (e.recorded_at || e.at || "").replace("T", " ").slice(0, 16)),
              h("td", { class: "break", title: e.input }, shownInput(e.input)),
              h("td", {}, h("code", {}, e.code)),
              h("td", {}, failureText(e)),
              h("td", { class: "hint" }, e.hint)))))));
    } catch (error) {
      replace(errorsCard, h("h2", { id: "errors-title" }, "Ingest errors"), errorBox(error));
    }
  }

  await Promise.all([loadDocs(), loadErrors()]);
  return heading;
}
