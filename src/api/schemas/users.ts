// Admin accounts and API tokens.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { IsoTime, Role } from './common.js';

export const User = Type.Object({
  name: Type.String(),
  role: Role,
  createdAt: IsoTime(),
  failedLogins: Type.Number(),
  lockedUntil: Type.Optional(IsoTime()),
  lastLoginAt: Type.Optional(IsoTime()),
});
export type User = Static<typeof User>;
export const UserList = Type.Object({ items: Type.Array(User) });

export const UserCreate = Type.Object({
  name: Type.String({ minLength: 2, maxLength: 32 }),
  role: Role,
  password: Type.String({ minLength: 10, maxLength: 1024 }),
}, { additionalProperties: false });
export type UserCreate = Static<typeof UserCreate>;

export const Token = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  createdAt: IsoTime(),
  createdBy: Type.String(),
  lastUsedAt: Type.Optional(IsoTime()),
});
export const TokenList = Type.Object({ items: Type.Array(Token) });

export const TokenCreate = Type.Object({
  name: Type.String({ minLength: 2, maxLength: 64 }),
  role: Role,
}, { additionalProperties: false });

/** The secret is shown once: store it now. */
export const TokenCreated = Type.Object({ token: Type.String(), record: Token });
export type TokenCreated = Static<typeof TokenCreated>;
