// MACs from the kernel neighbour table and hostnames from dnsmasq's lease file, refreshed in the
// background. Lookups on the query path are map reads; an unknown address asks for a refresh
// (at most once a second, and once per address every MISS_RETRY_MS), so a new device is
// recognised within a query or two. IPv4 neighbours are a file read (/proc/net/arp); IPv6 ones
// need `ip -6 neigh`, a fork of the whole daemon that stalls DNS for milliseconds, so it runs only
// while IPv6 clients are asking, and never for loopback or a client that is not on the LAN.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Logger } from '../log.js';
import type { DeviceDirectory } from './identity-service.js';

export interface DirectoryOptions {
  neighbours: boolean;
  leasesFile?: string;
  log: Logger;
  /** where /proc lives (tests point it at a folder) */
  procRoot?: string;
  refreshMs?: number;
  /** the `ip` command (tests point it at a script) */
  ipCommand?: string;
}

/** An address that stays unknown after a refresh asks for another no sooner than this. */
const MISS_RETRY_MS = 30_000;
/** IPv6 neighbours are read while an IPv6 client asked within this long. */
const V6_ACTIVE_MS = 10 * 60_000;

const isLoopback = (ip: string) => ip.startsWith('127.') || ip === '::1';

/** /proc/net/arp → ip → mac (complete entries only). */
export function parseProcArp(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 6) continue;
    const [ip, , flags, mac] = cols;
    if ((parseInt(flags, 16) & 0x2) === 0 || mac === '00:00:00:00:00:00') continue;
    out.set(ip, mac.toLowerCase());
  }
  return out;
}

/** `ip -6 neigh show` → ip → mac. */
export function parseIpNeigh(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\S+) dev \S+ lladdr ([0-9a-f:]{17})/i.exec(line.trim());
    if (m && !/FAILED|INCOMPLETE/.test(line)) out.set(m[1], m[2].toLowerCase());
  }
  return out;
}

/** dnsmasq leases: "expiry mac ip hostname client-id" → mac → hostname, ip → hostname. */
export function parseLeases(text: string): { byMac: Map<string, string>; byIp: Map<string, string> } {
  const byMac = new Map<string, string>();
  const byIp = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [, mac, ip, host] = line.trim().split(/\s+/);
    if (!mac || !ip || !host || host === '*') continue;
    const name = host.slice(0, 63);
    byMac.set(mac.toLowerCase(), name);
    byIp.set(ip, name);
  }
  return { byMac, byIp };
}

export class KernelDeviceDirectory implements DeviceDirectory {
  generation = 0;
  private macs = new Map<string, string>();
  private leases = { byMac: new Map<string, string>(), byIp: new Map<string, string>() };
  private timer: NodeJS.Timeout | undefined;
  private lastRefresh = 0;
  private refreshing: Promise<void> | undefined;
  /** unknown address → when it last asked for a refresh */
  private misses = new Map<string, number>();
  private lastV6Client = 0;

  constructor(private readonly opts: DirectoryOptions) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.opts.refreshMs ?? 10_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  macOf(ip: string): string | undefined {
    const mac = this.macs.get(ip);
    if (mac !== undefined || !this.opts.neighbours || isLoopback(ip)) return mac;
    const now = Date.now();
    const v6 = ip.includes(':');
    if (v6) this.lastV6Client = now;
    if (now - this.lastRefresh > 1000 && now - (this.misses.get(ip) ?? 0) > MISS_RETRY_MS) {
      if (this.misses.size >= 10_000) this.misses.clear();
      this.misses.set(ip, now);
      void this.refresh(v6);
    }
    return mac;
  }

  hostnameOf(mac: string | undefined, ip: string): string | undefined {
    return (mac && this.leases.byMac.get(mac)) || this.leases.byIp.get(ip);
  }

  /** Reads the tables again; IPv6 neighbours when `v6` or while IPv6 clients ask. */
  refresh(v6 = Date.now() - this.lastV6Client < V6_ACTIVE_MS): Promise<void> {
    this.refreshing ??= this.read(v6).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async read(v6: boolean): Promise<void> {
    this.lastRefresh = Date.now();
    const macs = new Map<string, string>();
    if (this.opts.neighbours) {
      const arp = await readFile(`${this.opts.procRoot ?? '/proc'}/net/arp`, 'utf8').catch(() => '');
      for (const [ip, mac] of parseProcArp(arp)) macs.set(ip, mac);
      if (v6) {
        const out = await new Promise<string>((resolve) => execFile(this.opts.ipCommand ?? 'ip', ['-6', 'neigh', 'show'], { timeout: 2000 }, (err, text) => resolve(err ? '' : text)));
        for (const [ip, mac] of parseIpNeigh(out)) macs.set(ip, mac);
      } else {
        // not asked this time: keep what the last reading said
        for (const [ip, mac] of this.macs) if (ip.includes(':')) macs.set(ip, mac);
      }
    }
    let leases = this.leases;
    if (this.opts.leasesFile) {
      try {
        leases = parseLeases(await readFile(this.opts.leasesFile, 'utf8'));
      } catch (err) {
        this.opts.log.warn({ err: (err as Error).message, file: this.opts.leasesFile }, 'lease file unreadable');
      }
    }
    if (!sameMap(macs, this.macs) || !sameMap(leases.byIp, this.leases.byIp) || !sameMap(leases.byMac, this.leases.byMac)) {
      this.macs = macs;
      this.leases = leases;
      this.generation++;
    }
  }
}

function sameMap(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
