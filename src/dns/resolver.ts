// The DNS path: one chain of small steps, assembled here, each with the reason it sits where it
// does. A query that a step can answer on the spot (block, canary, cache hit) runs without an
// await; only safe-search targets and cache misses wait for an upstream.
import type { DaemonContext, QueryEvent } from '../daemon/index.js';
import type { Logger } from '../log.js';
import { parseDuration, parseSize } from '../schema/index.js';
import { AnswerCache } from './answer-cache.js';
import { cacheStep, forwardStep } from './answer-steps.js';
import type { AnswerDeps } from './answer-steps.js';
import { CacheFiller } from './cache-filler.js';
import type { DnsConfig } from './config.js';
import { DnsQuery } from './dns-query.js';
import { Forwarder } from './forwarder.js';
import { LatencyHistogram } from './latency-histogram.js';
import type { LatencyPath } from './latency-histogram.js';
import { errorReply, truncatedReply } from './local-answers.js';
import { RATE, RateLimiter } from './rate-limiter.js';
import { safeSearchStep } from './safe-search-step.js';
import { canaryStep, identityStep, localPtrStep, policyStep, rateLimitStep, refuseStep } from './steps.js';
import type { Step, StepResult } from './steps.js';
import { UpstreamPool } from './upstream-pool.js';
import { PARSE, RCODE, newParsedQuery, parseQuery, questionName, rcodeName, typeName } from './wire.js';
import type { ParsedQuery } from './wire.js';

export interface ResolverCounters {
  queries: number;
  blocked: number;
  rewritten: number;
  refused: number;
  errors: number;
  cacheHits: number;
  cacheMisses: number;
  stale: number;
  servfail: number;
  cloaked: number;
  rateLimited: number;
  rateTrips: number;
  /** packets dropped or answered FORMERR/NOTIMP before a question could be read */
  malformed: number;
  truncated: number;
}

export class Resolver {
  readonly counters: ResolverCounters = {
    queries: 0, blocked: 0, rewritten: 0, refused: 0, errors: 0, cacheHits: 0, cacheMisses: 0, stale: 0, servfail: 0, cloaked: 0,
    rateLimited: 0, rateTrips: 0, malformed: 0, truncated: 0,
  };
  readonly latency: Record<LatencyPath, LatencyHistogram> = { cached: new LatencyHistogram(), local: new LatencyHistogram(), upstream: new LatencyHistogram() };
  readonly cache: AnswerCache;
  pool: UpstreamPool;
  readonly forwarder: Forwarder;
  readonly filler: CacheFiller;
  readonly limiter: RateLimiter;
  private readonly steps: readonly Step[];
  /** the listeners' parse struct: reused by every query that runs without an await */
  private readonly scratch: ParsedQuery = newParsedQuery();
  private bits: Uint32Array = new Uint32Array(1);
  /** DomainIndex.generation the scratch bits are sized for (a number: a reference would keep a swapped-out index alive) */
  private bitsFor = 0;

  constructor(private readonly ctx: DaemonContext, log: Logger) {
    const dns = () => ctx.state.current.config.dns;
    const cfg = dns();
    this.cache = new AnswerCache(cacheBytes(cfg));
    this.pool = new UpstreamPool(cfg.upstreams);
    // dns.timeout in ms, parsed once per config text (not per cache miss)
    let timeoutText = '';
    let timeoutMs = 2000;
    this.forwarder = new Forwarder(this.pool, {
      timeoutMs: () => {
        const text = dns().timeout;
        if (text !== timeoutText) {
          timeoutText = text;
          timeoutMs = (parseDuration(text) ?? 2) * 1000;
        }
        return timeoutMs;
      },
      udpSize: () => dns().udpSize, now: () => ctx.clock.now(),
      onDown: (u) => log.warn({ upstream: u.address, failures: u.failures }, 'upstream resolver not answering: marked down'),
    });
    this.filler = new CacheFiller(this.cache, this.forwarder, () => dns().cache, () => ctx.clock.now());
    this.limiter = new RateLimiter(cfg.rateLimit.qps, cfg.rateLimit.burst);
    const d: AnswerDeps = { ctx, log, dns, limiter: this.limiter, counters: this.counters, cache: this.cache, filler: this.filler };
    this.steps = [
      // Rate limit first: a flooding client costs as little as possible (no identity, no lookup).
      rateLimitStep(d),
      // Other classes and zone transfers are refused before any work.
      refuseStep(d),
      // Canaries before identity: the same answer for every device, portal devices included
      // (a browser that turned DoH on would go around the portal and the filter).
      canaryStep(d),
      // Who is asking: the group for everything after; portal devices get the appliance here.
      identityStep(d),
      // Private reverse names never leave the school (RFC 6303), whatever the group.
      localPtrStep(d),
      // The question name's categories and the decision; a block answers here, before safe
      // search (a blocked search engine stays blocked) and before any upstream traffic.
      policyStep(d, () => this.scratchBits()),
      // Safe search rewrites allowed provider names for the group's mode.
      safeSearchStep(d),
      // A fresh cached answer, with its CNAME targets decided again for this group.
      cacheStep(d),
      // Last: the upstreams (or a stale answer when they fail).
      forwardStep(d),
    ];
  }

  /** Applies a reloaded config (only the listen addresses need a restart: the schema marks them). */
  reconfigure(cfg: DnsConfig): void {
    this.cache.resize(cacheBytes(cfg));
    this.limiter.configure(cfg.rateLimit.qps, cfg.rateLimit.burst);
    if (cfg.upstreams.join() !== this.pool.upstreams.map((u) => u.address).join()) {
      this.pool = new UpstreamPool(cfg.upstreams);
      this.forwarder.setPool(this.pool);
    }
  }

  /**
   * Answers one wire-format query. Returns the reply (at most `maxSize` bytes: larger replies
   * go out truncated), a promise of it, or undefined when the packet deserves no answer.
   */
  handle(buf: Buffer, len: number, client: string, tcp: boolean, maxUdp: number, forcedGroup?: string): Buffer | Promise<Buffer> | undefined {
    const start = performance.now();
    const q = this.scratch;
    const status = parseQuery(buf, len, q);
    const udpSize = this.ctx.state.current.config.dns.udpSize;
    if (status !== PARSE.OK) {
      this.counters.malformed++;
      if (status === PARSE.DROP) return undefined;
      // Garbage counts against the sender's rate too; over it, not even an error goes back.
      if (this.limiter.check(client, this.ctx.clock.now()) !== RATE.OK) return undefined;
      if (status === PARSE.BADVERS) return errorReply(buf, q, RCODE.NOERROR, udpSize, undefined, 1);
      return errorReply(buf, q, status === PARSE.NOTIMP ? RCODE.NOTIMP : RCODE.FORMERR, udpSize);
    }
    const query = new DnsQuery(buf, q, client, tcp, start, this.ctx.clock.now(), this.ctx.state.current, forcedGroup);
    query.maxSize = tcp ? 65535 : Math.min(q.edns ? q.udpSize : 512, maxUdp);
    query.name = questionName(buf, q);
    let result: StepResult;
    try {
      for (let i = 0; i < this.steps.length && result === undefined; i++) result = this.steps[i].run(query);
    } catch (err) {
      // A bug must cost this one query (SERVFAIL), never the resolver.
      this.ctx.log.error({ err: (err as Error).message, domain: query.name }, 'DNS query failed inside schoolgate');
      query.action = 'error';
      result = errorReply(query.buf, query.q, RCODE.SERVFAIL, udpSize);
    }
    if (result === undefined) return undefined;
    if (result instanceof Promise) {
      return result.then((reply) => this.finish(query, reply, 'upstream'), (err: Error) => {
        this.ctx.log.error({ err: err.message, domain: query.name }, 'DNS query failed inside schoolgate');
        query.action = 'error';
        return this.finish(query, errorReply(query.buf, query.q, RCODE.SERVFAIL, udpSize), 'upstream');
      });
    }
    return this.finish(query, result, query.cached ? 'cached' : 'local');
  }

  private finish(query: DnsQuery, reply: Buffer, path: LatencyPath): Buffer {
    if (reply.length > query.maxSize) {
      this.counters.truncated++;
      reply = truncatedReply(query.buf, query.q, reply[3] & 0xf, this.ctx.state.current.config.dns.udpSize);
    }
    const latency = performance.now() - query.start;
    const c = this.counters;
    c.queries++;
    switch (query.action) {
      case 'block': c.blocked++; break;
      case 'rewrite': c.rewritten++; break;
      case 'refused': c.refused++; break;
      case 'error': c.errors++; break;
    }
    this.latency[query.cached && path === 'upstream' ? 'cached' : path].observe(latency);
    // A rate-limited client is logged once per trip (the rate-limit step's log line), not per packet.
    if (query.reason === 'rate-limit' && this.limiter.refusedIn(query.client) > 1) return reply;
    // Queries answered before the identity step (canaries, refusals) are logged with the device too;
    // the self-test's forced-group probes are no device's.
    const who = query.who ?? (query.forcedGroup === undefined ? this.ctx.identity.identify(query.client) : undefined);
    const event: QueryEvent = {
      time: query.now, client: query.client, mac: who?.mac, hostname: who?.hostname, user: who?.user, group: query.group?.name ?? '', name: query.name,
      type: typeName(query.q.qtype), action: query.action, reason: query.reason, category: query.category, rcode: rcodeName(reply[3] & 0xf),
      latency, upstream: query.upstream, cached: query.cached, overrideId: query.overrideId,
    };
    this.ctx.events.emit('query', event);
    return reply;
  }

  private scratchBits(): Uint32Array {
    const index = this.ctx.state.current.index;
    if (index.generation !== this.bitsFor) {
      this.bits = index.newBits();
      this.bitsFor = index.generation;
    }
    return this.bits;
  }

  stop(): void {
    this.forwarder.stop();
  }
}

function cacheBytes(cfg: DnsConfig): number {
  return parseSize(cfg.cache.size) ?? 16e6;
}
