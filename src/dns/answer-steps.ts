// The steps that answer from upstream data: the cache (a fresh hit answers with no await) and
// the forwarder (a miss). Both end in answerFrom(): every CNAME target of the answer is looked up
// too (an allowed name CNAMEing to a blocked one is blocked: CNAME cloaking), the TTL is capped
// by the decision's window, and listed names' addresses go to the firewall as `resolved`.
import { decide } from '../policy/index.js';
import type { CategoryBits, DomainIndex } from '../lists/index.js';
import { entryBody } from './answer-cache.js';
import type { CacheEntry, AnswerCache } from './answer-cache.js';
import { scanResponse } from './response-scan.js';
import type { CacheFiller } from './cache-filler.js';
import { STALE_TTL, replyFromCache } from './cached-reply.js';
import type { DnsQuery } from './dns-query.js';
import { anyBit, ttlCap } from './dns-query.js';
import { blockReply, errorReply } from './local-answers.js';
import { EDE } from './reply.js';
import type { Step, StepDeps } from './steps.js';
import { RCODE } from './wire.js';

export interface AnswerDeps extends StepDeps {
  cache: AnswerCache;
  filler: CacheFiller;
  counters: StepDeps['counters'] & { cacheHits: number; cacheMisses: number; stale: number; servfail: number; cloaked: number };
}

const MAX_TTL = 0x7fffffff;
const STALE_EDE = { code: EDE.STALE_ANSWER, text: 'stale answer: the upstream resolvers are not answering (RFC 8767)' };
const NETWORK_EDE = { code: EDE.NETWORK_ERROR, text: 'the upstream resolvers are not answering' };

/** Categories of the entry's CNAME targets in `index` (kept on the entry until the index changes). */
export function targetBits(e: CacheEntry, index: DomainIndex): CategoryBits | undefined {
  if (e.targets.length === 0) return undefined;
  if (e.bitsOf !== index.generation) {
    const all = index.newBits();
    const one = index.newBits();
    for (const t of e.targets) {
      index.lookupInto(t, one);
      for (let w = 0; w < all.length; w++) all[w] |= one[w];
    }
    e.targetBits = anyBit(all) ? all : undefined;
    e.bitsOf = index.generation;
  }
  return e.targetBits;
}

export function answerFrom(d: AnswerDeps, query: DnsQuery, e: CacheEntry, stale: boolean, now: number): Buffer {
  const { state } = query;
  const udpSize = d.dns().udpSize;
  let categories = query.bits;
  const tbits = targetBits(e, state.index);
  if (tbits) {
    categories = Uint32Array.from(query.bits);
    for (let w = 0; w < categories.length && w < tbits.length; w++) categories[w] |= tbits[w];
    const decision = decide({
      policy: state.policy, group: query.group, name: query.name, categories,
      client: { ip: query.client, mac: query.who?.mac }, overrides: state.overrides,
    }, now);
    query.note(decision);
    if (decision.action === 'block') {
      d.counters.cloaked++;
      query.action = 'block';
      const cfg = d.dns().blocking;
      return blockReply(query.buf, query.q, decision, cfg, ttlCap(decision, now, cfg.ttl), udpSize);
    }
  }
  const life = stale ? STALE_TTL : Math.max(0, Math.floor((e.expiresAt - now) / 1000));
  const cap = Math.min(ttlCap(query.decision, now, MAX_TTL), life);
  if (e.hasAddresses && anyBit(categories)) {
    d.ctx.events.emit('resolved', {
      name: query.name, categories: state.index.namesOf(categories), addresses: scanResponse(entryBody(e))?.addresses ?? [], ttl: cap,
      client: query.client, group: query.group.name,
    });
  }
  if (stale) d.counters.stale++;
  return replyFromCache(e, query.buf, query.q, now, cap, udpSize, stale, stale && query.q.edns ? STALE_EDE : undefined);
}

/** A fresh cache hit answers here; a stale one is kept for the forwarder's fallback. */
export function cacheStep(d: AnswerDeps): Step {
  return {
    name: 'cache',
    run(query) {
      const e = d.cache.get(query.buf, query.q, query.now);
      if (e === undefined) {
        d.counters.cacheMisses++;
        return undefined;
      }
      if (query.now >= e.expiresAt) {
        query.stale = e;
        d.counters.cacheMisses++;
        return undefined;
      }
      d.counters.cacheHits++;
      query.cached = true;
      query.upstream = e.upstream;
      return answerFrom(d, query, e, false, query.now);
    },
  };
}

export function forwardStep(d: AnswerDeps): Step {
  return {
    name: 'forward',
    run(query) {
      query.detach();
      return d.filler.fill(query.buf, query.q).then((r) => {
        const now = d.ctx.clock.now();
        if (r.ok) {
          query.upstream = r.upstream;
          return answerFrom(d, query, r.entry, false, now);
        }
        query.upstream = r.upstream;
        // RFC 8767: an expired answer beats no answer while the upstreams fail.
        const stale = query.stale ?? d.cache.get(query.buf, query.q, now);
        if (stale && now < stale.staleUntil) {
          query.cached = true;
          return answerFrom(d, query, stale, true, now);
        }
        d.counters.servfail++;
        query.action = 'error';
        return errorReply(query.buf, query.q, r.why === 'servfail' && r.rcode !== undefined ? r.rcode : RCODE.SERVFAIL, d.dns().udpSize, r.why === 'servfail' ? undefined : NETWORK_EDE);
      });
    },
  };
}
