// What stages offer one another and the API, by name. Every entry is optional: a stage that is
// off (dns-only mode, traffic disabled) or not started yet leaves it undefined, and readers say so.
import type { UsageService } from '../firewall/index.js';
import type { ListUpdater } from './list-updater.js';

export interface Services {
  lists?: ListUpdater;
  /** gateway mode: per-device usage and quota resets */
  firewall?: FirewallService;
  dns?: DnsService;
  health?: HealthService;
  traffic?: TrafficService;
}

export interface FirewallService {
  readonly usage: UsageService;
  /**
   * Rejects every packet from `client` to `server` for `seconds` (TCP with a reset, the rest
   * with ICMP admin-prohibited): the traffic stage's answer to a blocked server name. False when
   * the kernel refused it or the firewall is not in gateway mode.
   */
  blockFlow(client: string, server: string, seconds: number): Promise<boolean>;
}

// ---- DNS ---------------------------------------------------------------------------------------

export interface UpstreamHealth {
  address: string;
  healthy: boolean;
  /** smoothed round-trip time, when known */
  rttMs?: number;
  failures: number;
}

export interface DnsCounters {
  queries: number;
  blocked: number;
  rewritten: number;
  cacheHits: number;
  cacheEntries: number;
  cacheBytes: number;
  servfail: number;
  rateLimited: number;
  upstreams: UpstreamHealth[];
}

/**
 * The address the filtering self-test asks from (TEST-NET-1, never a real device): its probes
 * are answered like any query, but the recorder keeps them out of the query log, the dashboard
 * figures and incident detection (a probe of a locked category is not a safeguarding incident).
 */
export const SELF_TEST_CLIENT = '192.0.2.1';

export interface DnsService {
  counters(): DnsCounters;
  /**
   * Answers a wire-format query exactly as the listeners would for `client` (identity, policy,
   * cache, upstreams). `group` forces the group (the filtering self-test asks as each group).
   */
  answer(query: Uint8Array, client: { ip: string; group?: string }): Promise<Uint8Array>;
}

// ---- health and LEDs -----------------------------------------------------------------------------

export const LED_NAMES = ['power', 'wan', 'filter', 'alert'] as const;
export type LedName = (typeof LED_NAMES)[number];
export const LED_PATTERNS = ['off', 'on', 'slow-blink', 'fast-blink', 'heartbeat'] as const;
export type LedPattern = (typeof LED_PATTERNS)[number];
/** What each LED shows and the health fact that chose it (the printable card's wording). */
export type LedStates = Record<LedName, { pattern: LedPattern; why: string }>;

export interface HealthService {
  /** the LED states the backend shows now (GET /status reports exactly these) */
  leds(): LedStates;
  /** the facts behind them, for the dashboard */
  snapshot(): Record<string, unknown>;
}

// ---- traffic (packet metadata) ---------------------------------------------------------------------

export interface FlowRecord {
  /** epoch ms of the flow's first packet we saw */
  time: number;
  client: string;
  mac?: string;
  user?: string;
  group: string;
  /** SNI, HTTP Host, or the resolver's address for foreign DNS */
  server: string;
  proto: 'tls' | 'http' | 'quic' | 'dns' | 'dot';
  dst: string;
  dport: number;
  /** the client's source port (matches the flow to its conntrack entry) */
  sport?: number;
  action: 'allow' | 'block';
  reason: string;
  category?: string;
  /** from kernel counters, where available */
  bytes?: number;
  /** the ClientHello carried Encrypted Client Hello: `server` is only the outer name */
  ech?: boolean;
}

export interface TrafficService {
  recentFlows(filter?: { client?: string; limit?: number }): FlowRecord[];
  topTalkers(limit?: number): { client: string; flows: number; bytes: number }[];
  /** whether flows' bytes come from kernel counters (conntrack accounting), and why not */
  byteCounters(): { available: boolean; note?: string };
}
