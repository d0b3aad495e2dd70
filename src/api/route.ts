// How a row of the route table (schemas/routes.ts) becomes a fastify route: the table's schemas
// validate the request, the handler returns a value or a Failure, and failures become the one
// error body with the catalogue's status. Viewers get every JSON answer anonymised here, so no
// handler can forget to.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Static, TSchema } from '@sinclair/typebox';
import type { Actor, Role } from '../audit/index.js';
import { API_PREFIX } from './schemas/index.js';
import type { ErrorBody, Proposed, RouteName, RouteSpec } from './schemas/index.js';
import { ERRORS } from './errors.js';
import type { ErrorCode } from './errors.js';
import type { Session } from './sessions.js';
import type { Anonymiser } from './anonymise.js';

/** Who is calling: a signed-in user (session cookie) or a script (API token). */
export interface Auth {
  actor: Actor;
  role: Role;
  via: 'session' | 'token';
  session?: Session;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: Auth | null;
    /** the client address without an IPv4-mapped prefix */
    clientIp: string;
  }
  interface FastifyContextConfig {
    spec?: RouteSpec;
    routeName?: string;
  }
}

export class Failure {
  constructor(readonly code: ErrorCode, readonly message: string, readonly extra: Partial<Pick<ErrorBody, 'errors' | 'lockedUntil' | 'retryAfter'>> = {}) {}
}

/** 202: the change became a four-eyes proposal. */
export class Accepted {
  constructor(readonly body: Proposed) {}
}

export const fail = (code: ErrorCode, message?: string, extra?: Failure['extra']): Failure => new Failure(code, message ?? ERRORS[code].text, extra);

/** A service's `{ok:false, code, message}` as a Failure (unknown codes are bugs: 500). */
export function failureOf(r: { code: string; message: string }): Failure {
  return new Failure(Object.hasOwn(ERRORS, r.code) ? (r.code as ErrorCode) : 'SG_INTERNAL', r.message);
}

export function sendFailure(reply: FastifyReply, f: Failure): FastifyReply {
  const body: ErrorBody = { ok: false, code: f.code, message: f.message, ...f.extra };
  if (f.extra.retryAfter) void reply.header('retry-after', String(f.extra.retryAfter));
  return reply.code(ERRORS[f.code].status).type('application/json; charset=utf-8').send(body);
}

type Part<S, K extends string> = S extends { readonly [P in K]: infer T } ? (T extends TSchema ? Static<T> : undefined) : undefined;
type ResponseOf<S> = S extends { readonly response: infer T } ? (T extends TSchema ? Static<T> : unknown) : unknown;

export interface Call<S> {
  body: Part<S, 'body'>;
  query: Part<S, 'querystring'>;
  params: Part<S, 'params'>;
  auth: Auth | null;
  req: FastifyRequest;
  reply: FastifyReply;
}

export type Handler<S> = (c: Call<S>) => Promise<ResponseOf<S> | Failure | Accepted | FastifyReply>;

export interface Mounter {
  <N extends RouteName, S extends RouteSpec>(name: N, spec: S, handler: Handler<S>): void;
  readonly mounted: ReadonlySet<string>;
}

/** Returns the function route modules call: mount('createOverride', ROUTES.createOverride, …). */
export function mounter(app: FastifyInstance, anonymiser: Anonymiser): Mounter {
  const mounted = new Set<string>();
  const mount = <S extends RouteSpec>(name: string, spec: S, handler: Handler<S>) => {
    if (mounted.has(name)) throw new Error(`route ${name} mounted twice`);
    mounted.add(name);
    app.route({
      method: spec.method,
      url: spec.root ? spec.url : `${API_PREFIX}${spec.url}`,
      // Only the parts the table names (fastify warns about undefined ones).
      schema: Object.fromEntries(Object.entries({ body: spec.body, querystring: spec.querystring, params: spec.params }).filter(([, v]) => v !== undefined)),
      config: { spec, routeName: name },
      ...(spec.bodyLimit ? { bodyLimit: spec.bodyLimit } : {}),
      handler: async (req, reply) => {
        const call = { body: req.body, query: req.query, params: req.params, auth: req.auth, req, reply } as Call<S>;
        const out = await handler(call);
        if (out instanceof Failure) return sendFailure(reply, out);
        if (out instanceof Accepted) return reply.code(202).send(out.body);
        if (out === reply) return reply;
        const body = req.auth?.role === 'viewer' && !spec.ownData ? anonymiser.scrub(out) : out;
        return reply.code(spec.status ?? 200).send(body);
      },
    });
  };
  return Object.assign(mount, { mounted }) as Mounter;
}

export function plainIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

export const isStateChanging = (method: string): boolean => method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';

/** For handlers: the actor of a non-public route (the hook has checked it exists). */
export function actorOf(c: { auth: Auth | null }): Actor {
  if (!c.auth) throw new Error('actorOf on an unauthenticated call');
  return c.auth.actor;
}
