// The API, as the pages call it: below /app/api/, authenticated by the session
// cookie, JSON in and out. A 401 means the session is gone: back to the sign-in page.
// Errors are ApiError, with the status and the problem's fields (detail, errors).
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

const BASE = new URL('api/', window.location.href);

async function call(path, options = {}) {
  const init = { credentials: 'same-origin', headers: { Accept: 'application/json' },
                 method: options.method || 'GET' };
  if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
    init.headers['Content-Type'] = 'application/json';
  }
  if (options.ifMatch) {
    init.headers['If-Match'] = options.ifMatch;
  }
  let res;
  try {
    res = await fetch(new URL(path, BASE), init);
  } catch (e) {
    throw new ApiError(0, { detail: 'The server cannot be reached.' });
  }
  if (res.status === 401) {
    window.location.assign('login.html');
    throw new ApiError(401, null);
  }
  const type = res.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await res.json() : null;
  if (!res.ok) {
    throw new ApiError(res.status, body);
  }
  return { body, res };
}

// GET, POST, ... of one path below the API: the answer's body.
export async function api(path, options = {}) {
  return (await call(path, options)).body;
}

// One page of a list: its items, and the path of the next page (Link), or null.
export async function page(path) {
  const { body, res } = await call(path);
  const link = res.headers.get('Link');
  const m = link && link.match(/<([^>]+)>;\s*rel="?next"?/);
  let next = null;
  if (m) {
    const url = new URL(m[1], BASE);
    next = url.href.startsWith(BASE.href) ? url.href.slice(BASE.href.length) : null;
  }
  return { items: body, next };
}

// Every page of a list (up to a bound): all its items.
export async function all(path, bound = 20) {
  let items = [];
  for (let i = 0; path && i < bound; i++) {
    const p = await page(path);
    items = items.concat(p.items);
    path = p.next;
  }
  return items;
}

// What an error says to a person: the problem's detail, and the fields' messages.
export function explain(e) {
  if (e.status === 503) {
    return 'The database is unavailable right now. Try again in a few seconds.';
  }
  if (e.status === 0) {
    return e.message;
  }
  return e.message;
}
