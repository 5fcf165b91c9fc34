// JSON over HTTP to the server. Every refusal is a 4xx problem {title, status, detail}; the thrown Error carries the
// detail as its message (what the page shows) and the status (the page reacts to 404 by starting a new session).

/** An answer the server refused (or that never arrived); `status` is 0 when the server could not be reached. */
export class ApiError extends Error {
  constructor(message, status, url) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.url = url;
  }
}

/**
 * The forgery-protection header (docs/learn-api.md, "Forgery"): the server sets the cookie nl_csrf with the session and
 * refuses a change that carries the session cookie without it. Empty when there is no session; add it to any fetch
 * that does not go through `api` (e.g. an upload).
 */
export function csrfHeaders() {
  const match = document.cookie.match(/(?:^|;\s*)nl_csrf=([^;]*)/);
  return match ? { 'X-CSRF-Token': decodeURIComponent(match[1]) } : {};
}

async function request(method, url, body) {
  const init = { method, headers: { Accept: 'application/json', ...csrfHeaders() } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  let response;
  try {
    response = await fetch(url, init);
  } catch (e) {
    throw new ApiError(`The server did not answer (${e.message}). Is 'nonlinear serve' still running?`, 0, url);
  }

  if (response.status === 204) {
    return null;
  }

  const text = await response.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }

  if (!response.ok) {
    const detail = json && typeof json.detail === 'string' ? json.detail : `${response.status} ${response.statusText}`.trim();
    throw new ApiError(detail, response.status, url);
  }

  return json;
}

/** get/post/put/del of JSON; each returns the parsed answer or throws an ApiError. */
export const api = {
  get: (url) => request('GET', url),
  post: (url, body) => request('POST', url, body === undefined ? {} : body),
  put: (url, body) => request('PUT', url, body),
  del: (url) => request('DELETE', url),
};
