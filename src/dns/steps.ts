// The steps that answer on the spot (no await): each does one job, or returns undefined to hand
// the query on. They are assembled, in order and with the reason for each position, in
// resolver.ts.
import { decide } from '../policy/index.js';
import type { DecideRequest, Decision } from '../policy/index.js';
import type { DaemonContext } from '../daemon/index.js';
import type { Logger } from '../log.js';
import type { DnsConfig } from './config.js';
import type { DnsQuery } from './dns-query.js';
import { ttlCap } from './dns-query.js';
import { CANARIES, blockReply, canaryReply, errorReply, portalReply, ptrReply } from './local-answers.js';
import { classifyPtr } from './local-ptr.js';
import { RATE } from './rate-limiter.js';
import type { RateLimiter } from './rate-limiter.js';
import { CLASS_IN, RCODE, TYPE } from './wire.js';

export type StepResult = Buffer | Promise<Buffer> | undefined;

export interface Step {
  readonly name: string;
  run(query: DnsQuery): StepResult;
}

/** What the steps share: the daemon context, the current DNS config, the resolver's parts. */
export interface StepDeps {
  ctx: DaemonContext;
  log: Logger;
  dns: () => DnsConfig;
  limiter: RateLimiter;
  counters: { rateLimited: number; rateTrips: number };
}

export function rateLimitStep(d: StepDeps): Step {
  return {
    name: 'rate-limit',
    run(query) {
      const verdict = d.limiter.check(query.client, query.now);
      if (verdict === RATE.OK) return undefined;
      d.counters.rateLimited++;
      query.action = 'refused';
      query.reason = 'rate-limit';
      if (verdict === RATE.TRIPPED) {
        d.counters.rateTrips++;
        const { qps, burst } = d.dns().rateLimit;
        d.log.warn({ client: query.client, qps, burst, action: 'refused', reason: 'rate-limit' }, 'client over the DNS rate limit: refusing its queries until it slows down');
        d.ctx.events.emit('rate-limit', query.client);
      }
      return errorReply(query.buf, query.q, RCODE.REFUSED, d.dns().udpSize);
    },
  };
}

/** Classes other than IN, zone transfers: not a resolver's business. */
export function refuseStep(d: StepDeps): Step {
  return {
    name: 'refuse',
    run(query) {
      const { qclass, qtype } = query.q;
      if (qclass === CLASS_IN && qtype !== TYPE.AXFR && qtype !== TYPE.IXFR) return undefined;
      query.action = 'refused';
      return errorReply(query.buf, query.q, RCODE.REFUSED, d.dns().udpSize);
    },
  };
}

export function canaryStep(d: StepDeps): Step {
  return {
    name: 'canary',
    run(query) {
      const rcode = CANARIES.get(query.name);
      if (rcode === undefined) return undefined;
      query.action = 'block';
      query.reason = 'canary';
      return canaryReply(query.buf, query.q, rcode, d.dns().udpSize);
    },
  };
}

export function identityStep(d: StepDeps): Step {
  return {
    name: 'identity',
    run(query) {
      const forced = query.forcedGroup === undefined ? undefined : query.state.policy.byName.get(query.forcedGroup);
      if (forced) {
        query.group = forced;
        return undefined;
      }
      const who = d.ctx.identity.identify(query.client);
      query.who = who;
      query.group = who.group;
      if (!who.portal) return undefined;
      const c = query.state.config;
      const portal: Decision = { action: 'block', reason: 'portal', validUntil: Infinity };
      query.action = 'rewrite';
      query.note(portal);
      return portalReply(query.buf, query.q, c.portal.address ?? c.dns.blocking.address, d.dns().udpSize, portal);
    },
  };
}

export function localPtrStep(d: StepDeps): Step {
  return {
    name: 'local-ptr',
    run(query) {
      if (!d.dns().localPtr || !query.name.endsWith('.arpa')) return undefined;
      const ptr = classifyPtr(query.name);
      if (!ptr.local) return undefined;
      query.reason = 'local';
      const dir = d.ctx.core.devices;
      const hostname = ptr.ip ? dir.hostnameOf(dir.macOf(ptr.ip), ptr.ip) : undefined;
      return ptrReply(query.buf, query.q, hostname, ptr.ip !== undefined, d.dns().udpSize);
    },
  };
}

/** The question name's categories and the group's decision; a block is answered here. */
export function policyStep(d: StepDeps, scratch: () => Uint32Array): Step {
  // One request object refilled per query (decide() keeps no reference to it): two objects less a
  // query. It holds the last query's policy until the next one (a policy holds no index).
  let req: DecideRequest | undefined;
  return {
    name: 'policy',
    run(query) {
      const { state, q } = query;
      const bits = scratch();
      state.index.lookupWireInto(query.buf, q.labelOffsets, q.labelCount, bits);
      query.bits = bits;
      if (req === undefined) {
        req = { policy: state.policy, group: query.group, name: query.name, categories: bits, client: { ip: query.client, mac: query.who?.mac }, overrides: state.overrides };
      } else {
        req.policy = state.policy;
        req.group = query.group;
        req.name = query.name;
        req.categories = bits;
        req.client.ip = query.client;
        req.client.mac = query.who?.mac;
        req.overrides = state.overrides;
      }
      const decision = decide(req, query.now);
      query.note(decision);
      if (decision.action === 'allow') return undefined;
      query.action = 'block';
      const cfg = d.dns().blocking;
      return blockReply(query.buf, q, decision, cfg, ttlCap(decision, query.now, cfg.ttl), d.dns().udpSize);
    },
  };
}
