// Line formats: each turns one line into names for the collector, or says why it skipped it.
import { isIP } from 'node:net';
import { normaliseName } from './normalise.js';
import type { RejectReason } from './normalise.js';
import type { IndexBuilder } from './index-builder.js';
import type { LineSink } from './line-reader.js';

export type LineFormat = 'domains' | 'hosts' | 'adblock';

export interface SourceCounts {
  accepted: number;
  rejected: Partial<Record<RejectReason, number>>;
  /** comments, blank lines, hosts-file housekeeping names */
  skipped: number;
  /** IP addresses: not names, kept for the firewall's bypass sets */
  ips: number;
}

export function newCounts(): SourceCounts {
  return { accepted: 0, rejected: {}, skipped: 0, ips: 0 };
}

/** Feeds the names of one category's lines into the builder and counts what it rejects. */
export class CategoryCollector implements LineSink {
  constructor(
    private readonly builder: IndexBuilder,
    private readonly category: string,
    private readonly categoryId: number,
    private readonly format: LineFormat,
    readonly counts: SourceCounts,
  ) {}

  line(text: string): void {
    switch (this.format) {
      case 'domains': return this.domainsLine(text);
      case 'hosts': return this.hostsLine(text);
      case 'adblock': return this.adblockLine(text);
    }
  }

  overlong(): void {
    this.reject('line-too-long');
  }

  private domainsLine(text: string): void {
    const body = stripComment(text, '#');
    if (body === '') return void this.counts.skipped++;
    this.name(body);
  }

  private hostsLine(text: string): void {
    const body = stripComment(text, '#');
    if (body === '') return void this.counts.skipped++;
    const [address, ...names] = body.split(/\s+/);
    if (isIP(address) === 0 || names.length === 0) return this.reject('unsupported-rule');
    for (const n of names) {
      if (HOSTS_HOUSEKEEPING.has(n.toLowerCase())) this.counts.skipped++;
      else this.name(n);
    }
  }

  private adblockLine(text: string): void {
    const body = text.trim();
    if (body === '' || body.startsWith('!') || body.startsWith('[') || body.startsWith('#')) return void this.counts.skipped++;
    const m = /^\|\|([^/^$|*@\s]+)\^\|?$/.exec(body);
    if (!m) return this.reject('unsupported-rule');
    this.name(m[1]);
  }

  private name(raw: string): void {
    const n = normaliseName(raw);
    if (n.ok) {
      this.builder.add(n.name, this.categoryId);
      this.counts.accepted++;
    } else if (n.reason === 'ip-address') {
      this.builder.addIp(this.category, raw.trim().replace(/^\[|\]$/g, ''));
      this.counts.ips++;
    } else {
      this.reject(n.reason);
    }
  }

  private reject(reason: RejectReason): void {
    this.counts.rejected[reason] = (this.counts.rejected[reason] ?? 0) + 1;
  }
}

const HOSTS_HOUSEKEEPING = new Set([
  'localhost', 'localhost.localdomain', 'local', 'broadcasthost', 'ip6-localhost', 'ip6-loopback',
  'ip6-localnet', 'ip6-mcastprefix', 'ip6-allnodes', 'ip6-allrouters', 'ip6-allhosts', '0.0.0.0',
]);

function stripComment(text: string, marker: string): string {
  const at = text.indexOf(marker);
  return (at === -1 ? text : text.slice(0, at)).trim();
}
