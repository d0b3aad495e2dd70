// The one typed event map between stages. A stage emits; others listen and remove their own
// listeners in stop().
import { EventEmitter } from 'node:events';
import type { IndexMeta } from '../lists/index.js';
import type { AuditEntry } from '../audit/index.js';
import type { Incident } from '../incidents/index.js';
import type { FlowRecord, LedStates } from './services.js';

export interface QueryEvent {
  /** epoch ms */
  time: number;
  client: string;
  mac?: string;
  /** from DHCP leases, and the device register's user: the resolver's identity of the client */
  hostname?: string;
  user?: string;
  group: string;
  name: string;
  type: string;
  action: 'allow' | 'block' | 'rewrite' | 'refused' | 'error';
  reason: string;
  category?: string;
  rcode: string;
  /** milliseconds from receipt to answer */
  latency: number;
  upstream?: string;
  cached: boolean;
  overrideId?: string;
}

/** A listed name resolved: the firewall learns its addresses (DoH/VPN endpoints) from this. */
export interface ResolvedEvent {
  name: string;
  categories: string[];
  addresses: string[];
  ttl: number;
  client: string;
  group: string;
}

/** Someone tried to go around the filter (traffic and firewall stages detect these). */
export interface BypassEvent {
  time: number;
  client: string;
  mac?: string;
  kind: 'foreign-dns' | 'dot' | 'doh' | 'vpn' | 'proxy' | 'sni' | 'quic';
  /** resolver address, SNI, … */
  detail: string;
  category?: string;
}

export interface EventMap {
  /** every stage has started (emitted right after the "ready" log line) */
  ready: [];
  'index:swapped': [meta: IndexMeta];
  'lists:failed': [error: string];
  'config:reloaded': [];
  'overrides:changed': [];
  query: [event: QueryEvent];
  resolved: [event: ResolvedEvent];
  'bypass-attempt': [event: BypassEvent];
  /** every audit entry as it is written (syslog export) */
  audit: [entry: AuditEntry];
  /** an incident recorded (new) or updated (a repeat folded into it) */
  incident: [incident: Incident, isNew: boolean];
  /** the store went over its size cap (oldest query log entries were dropped) */
  'store:full': [info: { size: number; cap: number }];
  /** open (unacknowledged) incidents: the alert LED follows this */
  'incidents:open': [count: number];
  'rate-limit': [client: string];
  /** the LEDs changed pattern (the dashboard's LED mirror follows this) */
  'leds:changed': [states: LedStates];
  /** a connection's server name seen on the wire (traffic stage) */
  flow: [flow: FlowRecord];
}

export class EventBus extends EventEmitter<EventMap> {
  constructor() {
    super({ captureRejections: true });
    this.setMaxListeners(50);
  }
}
