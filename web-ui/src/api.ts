// The one way the UI talks to the daemon: JSON over fetch to /api/v1, the session cookie sent by
// the browser, the CSRF token in a header on every state-changing call. Failures are values
// (`{ok:false, status, code, message}`), never exceptions, so every page can show them inline.

export interface ApiError {
  ok: false;
  status: number;
  code: string;
  message: string;
  /** field-level validation errors, when the API names them */
  errors?: { path?: string; message: string }[];
}
export type ApiResult<T> = { ok: true; status: number; value: T } | ApiError;

export const API_BASE = '/api/v1';

let csrfToken: string | undefined;
let onUnauthorised: (() => void) | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when a call answers 401 (the session ended): the app goes back to the login page. */
export function setUnauthorisedHandler(fn: () => void): void {
  onUnauthorised = fn;
}

type Query = Record<string, string | number | boolean | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

async function call<T>(method: string, path: string, body?: unknown, query?: Query): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(API_BASE + withQuery(path, query), {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, code: 'SG_UNREACHABLE', message: 'the appliance did not answer (network or daemon down)' };
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (res.ok) return { ok: true, status: res.status, value: data as T };
  if (res.status === 401 && path !== '/login' && path !== '/session' && path !== '/setup') onUnauthorised?.();
  const err = (data ?? {}) as { code?: unknown; message?: unknown; errors?: unknown };
  return {
    ok: false,
    status: res.status,
    code: typeof err.code === 'string' ? err.code : `HTTP_${res.status}`,
    message: typeof err.message === 'string' ? err.message : `${res.status} ${res.statusText}`,
    errors: Array.isArray(err.errors) ? (err.errors as ApiError['errors']) : undefined,
  };
}

export const api = {
  get: <T>(path: string, query?: Query) => call<T>('GET', path, undefined, query),
  post: <T>(path: string, body: unknown = {}) => call<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => call<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => call<T>('PATCH', path, body),
  del: <T>(path: string, body?: unknown) => call<T>('DELETE', path, body),
};

/** A path segment from data (an id, a group name), encoded so it cannot change the route. */
export const seg = (s: string): string => encodeURIComponent(s);
