// Plan → tc commands (one `tc -batch` per interface). HTB on each LAN interface shapes download,
// HTB on the WAN interface shapes upload. Packets are classified by the nft rules (skb priority
// = class id), so tc needs no filters. Pure text.
import { OVER_QUOTA_OFFSET, TC_MAJOR, classId } from './plan.js';
import type { FirewallPlan } from './plan.js';

export type Direction = 'down' | 'up';
export type LeafQdisc = 'fq_codel' | 'pfifo';

export interface TcClass {
  minor: number;
  /** 0: the root qdisc */
  parentMinor: number;
  /** bits per second */
  rate: number;
  ceil: number;
  /** DRR quantum in bytes: equal quanta make siblings share equally */
  quantum?: number;
}

export interface OverQuotaClass {
  minor: number;
  /** bits per second */
  rate: number;
}

/** The classes an interface needs for one direction, parents before children. */
export function tcClasses(plan: FirewallPlan, direction: Direction, overQuota: readonly OverQuotaClass[]): TcClass[] {
  const out: TcClass[] = [];
  for (const g of plan.groups) {
    const cap = g.bandwidth?.[direction];
    if (!g.bandwidth || cap === undefined) continue;
    const base = g.bandwidth.classBase;
    out.push({ minor: base, parentMinor: 0, rate: cap, ceil: cap, quantum: 1514 });
    const share = Math.max(8, Math.floor(cap / plan.buckets));
    for (let b = 0; b < plan.buckets; b++) out.push({ minor: base + 1 + b, parentMinor: base, rate: share, ceil: cap, quantum: 1514 });
  }
  // A device over quota gets a class of its own at the over-quota rate, beside the group class,
  // so its rate holds whatever the rest of the group does.
  for (const o of overQuota) out.push({ minor: o.minor, parentMinor: 0, rate: o.rate, ceil: o.rate, quantum: 1514 });
  return out;
}

/**
 * Commands that make `dev` carry the HTB tree of `classes` (classes: replace, idempotent). HTB
 * cannot change its own options in place, so the root line is left out when ours is there.
 */
export function renderTcBatch(dev: string, classes: readonly TcClass[], leaf: LeafQdisc, rootIsOurs = false): string[] {
  const root = `${TC_MAJOR.toString(16)}:`;
  // default 0: unclassified traffic (uncapped groups, the appliance's own) bypasses shaping.
  // direct_qlen: bridges have no tx queue length, and HTB would keep only 2 direct packets.
  const lines = rootIsOurs ? [] : [`qdisc replace dev ${dev} root handle ${root} htb default 0 direct_qlen 1000`];
  for (const c of classes) lines.push(...renderClass(dev, c, leaf));
  return lines;
}

export function renderClass(dev: string, c: TcClass, leaf: LeafQdisc): string[] {
  const parent = c.parentMinor === 0 ? `${TC_MAJOR.toString(16)}:` : classId(c.parentMinor);
  const quantum = c.quantum === undefined ? '' : ` quantum ${c.quantum}`;
  const lines = [`class replace dev ${dev} parent ${parent} classid ${classId(c.minor)} htb rate ${c.rate}bit ceil ${c.ceil}bit${quantum}`];
  if (isLeaf(c)) lines.push(`qdisc replace dev ${dev} parent ${classId(c.minor)} handle ${c.minor.toString(16)}: ${leafQdisc(leaf)}`);
  return lines;
}

function isLeaf(c: TcClass): boolean {
  return c.parentMinor !== 0 || c.minor % 0x400 >= OVER_QUOTA_OFFSET;
}

function leafQdisc(leaf: LeafQdisc): string {
  // pfifo: kernels without fq_codel; the per-device buckets still keep devices apart.
  return leaf === 'fq_codel' ? 'fq_codel' : 'pfifo limit 300';
}

/** Deletes our classes that are not wanted any more, children first. */
export function renderTcPrune(dev: string, existingMinors: readonly number[], wanted: readonly TcClass[]): string[] {
  const keep = new Set(wanted.map((c) => c.minor));
  const stale = existingMinors.filter((m) => !keep.has(m));
  // Group classes are multiples of the stride; delete leaves (buckets, over-quota) before them.
  stale.sort((a, b) => Number(a % 0x400 === 0) - Number(b % 0x400 === 0) || b - a);
  return stale.map((m) => `class del dev ${dev} classid ${classId(m)}`);
}

export function renderTcRemoval(dev: string): string[] {
  return [`qdisc del dev ${dev} root handle ${TC_MAJOR.toString(16)}:`];
}

/** Which interfaces shape which direction. */
export function shapedDevices(plan: FirewallPlan): { dev: string; direction: Direction }[] {
  return [...plan.lan.map((dev) => ({ dev, direction: 'down' as const })), { dev: plan.wan, direction: 'up' as const }];
}
