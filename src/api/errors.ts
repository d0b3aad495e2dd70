// The one catalogue of stable error codes and the HTTP status each maps to (STYLE §5: services
// return `{ ok: false, code, message }`; only api/ knows about HTTP). Pure data, no imports: the
// web UI may import it to word errors. Add codes; never renumber or rename one.

export const ERRORS = {
  SG_BAD_INPUT: { status: 400, text: 'the request is not valid' },
  SG_BAD_OVERRIDE: { status: 400, text: 'the override is not valid' },
  SG_BAD_CONFIG: { status: 400, text: 'the change would make the configuration invalid' },
  SG_UNAUTHENTICATED: { status: 401, text: 'sign in first (session cookie or API token)' },
  SG_BAD_LOGIN: { status: 401, text: 'wrong user name or password' },
  SG_BAD_SETUP_CODE: { status: 401, text: 'the setup code is not right' },
  SG_FORBIDDEN: { status: 403, text: 'your role may not do this' },
  SG_LOCKED_CATEGORY: { status: 403, text: 'a locked category: nobody can override it' },
  SG_CSRF: { status: 403, text: 'missing or wrong CSRF token, or a request from another site' },
  SG_NOT_FOUND: { status: 404, text: 'no such thing' },
  SG_UNKNOWN_DEVICE: { status: 404, text: 'no such device' },
  SG_EXISTS: { status: 409, text: 'it exists already' },
  SG_CONFLICT: { status: 409, text: 'not possible in the current state' },
  SG_NEEDS_RESTART: { status: 409, text: 'this change needs a restart of the daemon' },
  SG_SETUP_DONE: { status: 409, text: 'setup is done: sign in instead' },
  SG_NOT_GATEWAY: { status: 409, text: 'available in gateway mode only' },
  SG_TOO_LARGE: { status: 413, text: 'the request body is too large' },
  SG_UNSUPPORTED_MEDIA: { status: 415, text: 'send JSON (or the form this route takes)' },
  SG_LOCKED: { status: 423, text: 'the account is locked after too many failed logins' },
  SG_RATE_LIMITED: { status: 429, text: 'too many requests: try again later' },
  SG_INTERNAL: { status: 500, text: 'internal error (logged)' },
  SG_UNAVAILABLE: { status: 503, text: 'the part of the daemon this needs is not running' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export function statusOf(code: string): number {
  return (ERRORS as Record<string, { status: number }>)[code]?.status ?? 500;
}

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERRORS, code);
}
