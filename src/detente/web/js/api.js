// The one way the dashboard gets data: the JSON API. Errors arrive in one shape,
// {"ok": false, "error", "status", "code", "hint"}, and are thrown as ApiError.

export class ApiError extends Error {
  constructor(body, status) {
    super((body && body.error) || `HTTP ${status}`);
    this.body = body || {};
    this.status = status;
  }
}

async function parse(response) {
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError({ error: `the server answered ${response.status} without JSON` },
      response.status);
  }
  if (!response.ok || body.ok === false) throw new ApiError(body, response.status);
  return body;
}

export async function getJSON(path, params = {}) {
  const url = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  return parse(response);
}

export async function uploadFiles(files) {
  const form = new FormData();
  for (const file of files) form.append("files", file, file.name);
  const response = await fetch("/api/documents", { method: "POST", body: form });
  return parse(response);
}
