// Sign-in, first-run setup and the session. A browser first GETs /session: it learns whether
// setup is needed and gets a CSRF token (cookie + body) for the login or setup POST; after
// login it gets the session's own CSRF token, sent as `x-csrf-token` on every change.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { IsoTime, Role } from './common.js';

export const SessionInfo = Type.Object({
  authenticated: Type.Boolean(),
  /** no admin account exists yet: the first visit creates the technician with the setup code */
  setupNeeded: Type.Boolean(),
  user: Type.Optional(Type.String()),
  role: Type.Optional(Role),
  /** how the caller is authenticated */
  via: Type.Optional(Type.Union([Type.Literal('session'), Type.Literal('token')])),
  /** send as the `x-csrf-token` header on POST/PUT/PATCH/DELETE */
  csrfToken: Type.String(),
  expiresAt: Type.Optional(IsoTime('when the session ends unless used')),
  /** four-eyes mode: policy changes become proposals */
  fourEyes: Type.Boolean(),
  /** the daemon's version (signed-in callers only) */
  version: Type.Optional(Type.String()),
});
export type SessionInfo = Static<typeof SessionInfo>;

export const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
}, { additionalProperties: false });
export type LoginBody = Static<typeof LoginBody>;

/** The first visit: the one-time code printed in the log, and the technician account. */
export const SetupBody = Type.Object({
  code: Type.String({ minLength: 4, maxLength: 64, description: 'the one-time setup code from the log / console' }),
  username: Type.String({ minLength: 2, maxLength: 32 }),
  password: Type.String({ minLength: 10, maxLength: 1024 }),
}, { additionalProperties: false });
export type SetupBody = Static<typeof SetupBody>;

export const PasswordBody = Type.Object({
  password: Type.String({ minLength: 10, maxLength: 1024 }),
  /** required when changing one's own password */
  current: Type.Optional(Type.String({ maxLength: 1024 })),
}, { additionalProperties: false });
export type PasswordBody = Static<typeof PasswordBody>;
