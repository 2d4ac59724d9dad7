// Talking to Trackside's JSON API with the session cookie. Reads are plain GETs; changes carry
// the CSRF token the server gave this session (GET /api/session), which another site's page
// cannot read, so it cannot make changes in the operator's name.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let csrfToken = null;

async function answer(response) {
  if (response.status === 401) {
    window.location.assign('/login'); // the session expired: sign in again
    throw new ApiError(401, 'unauthorized', 'signed out');
  }
  if (response.status === 204) return null;
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    // not JSON: handled below
  }
  if (!response.ok) {
    throw new ApiError(response.status, body?.code || 'error',
      body?.message || 'the server answered ' + response.status);
  }
  return body;
}

/** GET a JSON answer; params is a URLSearchParams or a plain object. */
export async function getJson(path, params) {
  const query = params ? '?' + new URLSearchParams(params).toString() : '';
  const response = await fetch(path + query, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  return answer(response);
}

async function csrf() {
  if (!csrfToken) {
    csrfToken = (await getJson('/api/session')).csrfToken;
  }
  return csrfToken;
}

/** POST, PUT or DELETE with a JSON body (or none), carrying the CSRF token. */
export async function sendJson(method, path, body, params) {
  const query = params ? '?' + new URLSearchParams(params).toString() : '';
  const headers = { Accept: 'application/json', 'X-CSRF-Token': await csrf() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path + query, {
    method, credentials: 'same-origin', headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return answer(response);
}

/** Signs out and goes to the sign-in page. */
export async function signOut() {
  try {
    await sendJson('POST', '/logout');
  } finally {
    window.location.assign('/login');
  }
}
