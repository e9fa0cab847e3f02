// The API, as the pages call it: below /app/api/, authenticated by the session
// cookie, JSON in and out. A 401 means the session is gone: back to the sign-in page.
// Unavailable (503) is told and retried by the caller.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function api(path, options = {}) {
  const init = { credentials: 'same-origin', headers: { Accept: 'application/json' }, ...options };
  if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
    init.headers = { ...init.headers, 'Content-Type': 'application/json' };
  }
  const res = await fetch(`api/${path}`, init);
  if (res.status === 401) {
    window.location.assign('login.html');
    throw new ApiError(401, null);
  }
  const type = res.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await res.json() : null;
  if (!res.ok) {
    throw new ApiError(res.status, body);
  }
  return body;
}
