// A short API reference drawn from the server's own OpenAPI document; the full one is
// Swagger UI at /docs, served from this server (no CDN).

import { getJSON } from "./api.js";
import { errorBox, h, replace } from "./dom.js";

export async function renderApi(main) {
  const heading = h("h1", { tabindex: "-1" }, "API");
  replace(main, h("div", { class: "page-head" }, heading,
    h("p", { class: "lede" }, "Every view of this dashboard is drawn from these JSON routes. " +
      "The full description is ", h("a", { href: "/api/openapi.json" }, "/api/openapi.json"),
    ", to try in ", h("a", { href: "/docs" }, "Swagger UI"), ". Errors always have the shape ",
    h("code", {}, '{"ok": false, "error": "...", "status": 400, "code": "E100", "hint": "..."}'),
    ".")));
  let spec;
  try {
    spec = await getJSON("/api/openapi.json");
  } catch (error) {
    main.append(errorBox(error));
    return heading;
  }
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters || [];
      main.append(h("section", { class: "card route" },
        h("h2", {}, h("span", { class: `method ${method}` }, method.toUpperCase()), " ",
          h("code", {}, path)),
        h("p", { class: "route-summary" }, op.summary || ""),
        op.description ? h("p", { class: "muted pre" }, op.description) : null,
        params.length ? h("div", { class: "table-wrap" }, h("table", { class: "params" },
          h("thead", {}, h("tr", {}, ["Parameter", "In", "Required", "Description"]
            .map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, params.map((p) => h("tr", {},
            h("td", {}, h("code", {}, p.name)), h("td", {}, p.in),
            h("td", {}, p.required ? "yes" : ""),
            h("td", {}, p.description || (p.schema && p.schema.description) || "")))))) : null));
    }
  }
  return heading;
}
