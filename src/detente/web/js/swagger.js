// Swagger UI at /docs over this server's OpenAPI document. A script file, not an inline
// one, so the page keeps the dashboard's Content-Security-Policy; no validator badge,
// which would ask a server elsewhere.

window.ui = window.SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
  layout: "BaseLayout",
});
