// Plan + dynamic elements → one complete nftables ruleset for `table inet schoolgate`. Pure text.
// It starts by deleting our table (and only ours) in the same transaction, so `nft -f` swaps the
// old rules for the new ones atomically: there is never a moment without rules.
import { createHash } from 'node:crypto';
import { TC_MAJOR, classId, groupMark } from './plan.js';
import type { FlowBlock } from './nft-read.js';
import type { BypassPlan, DnsTarget, FirewallPlan, GroupPlan } from './plan.js';

export const TABLE = 'schoolgate';
export const FAMILY = 'inet';
export const TABLE_REF = `${FAMILY} ${TABLE}`;

/** Elements that change without a re-render (set updates); included when the table is rebuilt. */
export interface DynamicElements {
  /** category → addresses listed in the lists (no timeout) */
  listed: ReadonlyMap<string, readonly string[]>;
  /** category → learned addresses with the seconds they have left */
  learned: ReadonlyMap<string, readonly { address: string; seconds: number }[]>;
  /** category → ids of the groups that block it right now */
  blocking: ReadonlyMap<string, readonly number[]>;
  /** category → clients with an override that lifts it */
  exempt: ReadonlyMap<string, { v4: readonly string[]; v6: readonly string[]; macs: readonly string[] }>;
  /** devices over their daily quota and their tc class minor */
  overQuota: readonly { address: string; minor: number }[];
  /** device . server blocks (traffic stage) with the seconds they have left */
  flowBlocks?: readonly FlowBlock[];
}

export const emptyElements = (): DynamicElements => ({ listed: new Map(), learned: new Map(), blocking: new Map(), exempt: new Map(), overQuota: [] });

/** Identifies the structure (everything but the dynamic elements and the epoch). */
export function planGeneration(plan: FirewallPlan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex').slice(0, 16);
}

export const setNames = {
  src4: (g: GroupPlan) => `src4_${g.name}`,
  src6: (g: GroupPlan) => `src6_${g.name}`,
  srcMac: (g: GroupPlan) => `srcmac_${g.name}`,
  bypass4: (b: BypassPlan) => `bypass4_${b.key}`,
  bypass6: (b: BypassPlan) => `bypass6_${b.key}`,
  blocking: (b: BypassPlan) => `blocking_${b.key}`,
  exempt4: (b: BypassPlan) => `exempt4_${b.key}`,
  exempt6: (b: BypassPlan) => `exempt6_${b.key}`,
  exemptMac: (b: BypassPlan) => `exemptmac_${b.key}`,
  usage4: 'usage4', usage6: 'usage6', seen4: 'seen4', seen6: 'seen6', overQuota4: 'overquota4', overQuota6: 'overquota6',
  flowBlock4: 'flowblock4', flowBlock6: 'flowblock6',
} as const;

const q = (s: string) => JSON.stringify(s);
const ifaces = (names: readonly string[]) => (names.length === 1 ? q(names[0]) : `{ ${names.map(q).join(', ')} }`);
const hex = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
const elements = (items: readonly string[]) => (items.length > 0 ? ` elements = { ${items.join(', ')} };` : '');
const isV6 = (a: string) => a.includes(':');

export function renderRuleset(plan: FirewallPlan, epoch: number, dyn: DynamicElements): string {
  const gen = planGeneration(plan);
  const lan = ifaces(plan.lan);
  const wan = q(plan.wan);
  const mark = (g: GroupPlan) => groupMark(epoch, g);
  const out: string[] = [
    `table ${TABLE_REF} {}`,
    `delete table ${TABLE_REF}`,
    `table ${TABLE_REF} {`,
    `  comment "schoolgate gen=${gen} epoch=${epoch}"`,
  ];
  const set = (line: string) => out.push(`  ${line}`);

  // Who is who: each group's source match, checked in config order (first match wins).
  for (const g of plan.groups) {
    set(`set ${setNames.src4(g)} { type ipv4_addr; flags interval;${elements(g.v4)} }`);
    set(`set ${setNames.src6(g)} { type ipv6_addr; flags interval;${elements(g.v6)} }`);
    set(`set ${setNames.srcMac(g)} { type ether_addr;${elements(g.macs)} }`);
  }
  // Bypass endpoints per category: listed addresses never expire, learned ones do.
  for (const b of plan.bypass) {
    const listed = dyn.listed.get(b.category) ?? [];
    const learned = dyn.learned.get(b.category) ?? [];
    const listedSet = new Set(listed);
    const entries = (v6: boolean) => [
      ...listed.filter((a) => isV6(a) === v6),
      ...learned.filter((l) => isV6(l.address) === v6 && !listedSet.has(l.address)).map((l) => `${l.address} timeout ${Math.max(1, Math.ceil(l.seconds))}s`),
    ];
    set(`set ${setNames.bypass4(b)} { type ipv4_addr; flags timeout;${elements(entries(false))} }`);
    set(`set ${setNames.bypass6(b)} { type ipv6_addr; flags timeout;${elements(entries(true))} }`);
    const blocking = (dyn.blocking.get(b.category) ?? []).map((id) => plan.groups.find((g) => g.id === id)).filter((g) => g !== undefined);
    set(`set ${setNames.blocking(b)} { type mark;${elements(blocking.map((g) => hex(mark(g))))} }`);
    const ex = dyn.exempt.get(b.category);
    set(`set ${setNames.exempt4(b)} { type ipv4_addr;${elements(ex?.v4 ?? [])} }`);
    set(`set ${setNames.exempt6(b)} { type ipv6_addr;${elements(ex?.v6 ?? [])} }`);
    set(`set ${setNames.exemptMac(b)} { type ether_addr;${elements(ex?.macs ?? [])} }`);
  }
  // Counters the daemon reads: bytes per group . direction . device, and bypass attempts.
  set(`set ${setNames.usage4} { type mark . ct_dir . ipv4_addr; size 65535; flags dynamic,timeout; timeout 2d; counter; }`);
  set(`set ${setNames.usage6} { type mark . ct_dir . ipv6_addr; size 65535; flags dynamic,timeout; timeout 2d; counter; }`);
  set(`set ${setNames.seen4} { type ipv4_addr . ipv4_addr . inet_proto . inet_service; size 8192; flags dynamic,timeout; timeout 5m; }`);
  set(`set ${setNames.seen6} { type ipv6_addr . ipv6_addr . inet_proto . inet_service; size 8192; flags dynamic,timeout; timeout 5m; }`);
  const oq = (v6: boolean) => dyn.overQuota.filter((o) => isV6(o.address) === v6).map((o) => `${o.address} : ${classId(o.minor)}`);
  // device . server pairs the traffic stage blocked (a blocked SNI/Host): carried across a
  // re-render with the time they have left, so a reload never lets a blocked device through.
  const fb = (v6: boolean) => (dyn.flowBlocks ?? []).filter((b) => isV6(b.client) === v6 && isV6(b.server) === v6 && b.seconds > 0)
    .map((b) => `${b.client} . ${b.server} timeout ${Math.ceil(b.seconds)}s`);
  set(`set ${setNames.flowBlock4} { type ipv4_addr . ipv4_addr; size 65535; flags timeout;${elements(fb(false))} }`);
  set(`set ${setNames.flowBlock6} { type ipv6_addr . ipv6_addr; size 65535; flags timeout;${elements(fb(true))} }`);
  set(`map ${setNames.overQuota4} { type ipv4_addr : classid;${elements(oq(false))} }`);
  set(`map ${setNames.overQuota6} { type ipv6_addr : classid;${elements(oq(true))} }`);

  chain(out, 'classify_lan', 'type filter hook prerouting priority mangle; policy accept;', [
    // A connection is (re)classified on its first packet from the LAN, and again after a config
    // change (the epoch in the mark no longer matches): both directions then read the mark.
    `iifname ${lan} ct direction original ct mark and 0xff00 != ${hex((epoch & 0xff) << 8)} jump classify`,
  ]);
  const setMark = (g: GroupPlan) => `ct mark set ct mark and 0xffff0000 or ${hex(mark(g))}`;
  chain(out, 'classify', undefined, [
    ...plan.groups.flatMap((g) => [
      g.macs.length > 0 ? `ether saddr @${setNames.srcMac(g)} ${setMark(g)} return` : '',
      g.v4.length > 0 ? `ip saddr @${setNames.src4(g)} ${setMark(g)} return` : '',
      g.v6.length > 0 ? `ip6 saddr @${setNames.src6(g)} ${setMark(g)} return` : '',
    ]),
    setMark(plan.defaultGroup),
  ]);

  chain(out, 'dns_intercept', 'type nat hook prerouting priority dstnat; policy accept;', [
    `iifname ${lan} meta l4proto { tcp, udp } th dport 53 jump dns_redirect`,
  ]);
  chain(out, 'dns_redirect', undefined, [
    ...dnsRedirect('ip', plan.dns4, setNames.seen4),
    ...dnsRedirect('ip6', plan.dns6, setNames.seen6),
  ]);
  if (plan.nat) chain(out, 'nat_out', 'type nat hook postrouting priority srcnat; policy accept;', [`meta nfproto ipv4 oifname ${wan} masquerade`]);

  renderShaping(out, plan, lan, wan, mark);

  chain(out, 'forward', 'type filter hook forward priority filter; policy drop;', [
    // Bypass checks see every packet from the LAN, not only new flows: an endpoint learned while
    // a connection is open cuts that connection too.
    `iifname ${lan} jump from_lan`,
    'ct state established,related accept',
    'ct state invalid drop',
    `iifname ${lan} oifname ${wan} accept`,
    `iifname ${lan} oifname ${lan} accept`,
  ]);
  const quicMarks = plan.groups.filter((g) => g.blockQuic).map((g) => hex(mark(g)));
  chain(out, 'from_lan', undefined, [
    // A blocked server name: every packet of the device to that address, open connections too.
    `ip saddr . ip daddr @${setNames.flowBlock4} jump flow_deny`,
    `ip6 saddr . ip6 daddr @${setNames.flowBlock6} jump flow_deny`,
    'meta l4proto { tcp, udp } th dport 853 jump deny',
    // Port 53 reaching forward was not intercepted (no listener of that family): no way out.
    'meta l4proto { tcp, udp } th dport 53 jump deny',
    ...plan.bypass.flatMap((b) => [
      `ct mark and 0xffff @${setNames.blocking(b)} ip daddr @${setNames.bypass4(b)} jump bypass_${b.key}`,
      `ct mark and 0xffff @${setNames.blocking(b)} ip6 daddr @${setNames.bypass6(b)} jump bypass_${b.key}`,
    ]),
    quicMarks.length > 0 ? `ct mark and 0xffff { ${quicMarks.join(', ')} } udp dport 443 jump deny` : '',
  ]);
  for (const b of plan.bypass) {
    chain(out, `bypass_${b.key}`, undefined, [
      `ip saddr @${setNames.exempt4(b)} return`,
      `ip6 saddr @${setNames.exempt6(b)} return`,
      `ether saddr @${setNames.exemptMac(b)} return`,
      'jump deny',
    ]);
  }
  // Not `deny`: these are policy blocks the traffic stage logged itself, not bypass attempts.
  chain(out, 'flow_deny', undefined, [
    'meta l4proto tcp counter reject with tcp reset',
    // QUIC and anything else: the client sees "administratively prohibited" and gives up at once
    'counter reject with icmpx admin-prohibited',
  ]);
  chain(out, 'deny', undefined, [
    `meta nfproto ipv4 add @${setNames.seen4} { ip saddr . ip daddr . meta l4proto . th dport }`,
    `meta nfproto ipv6 add @${setNames.seen6} { ip6 saddr . ip6 daddr . meta l4proto . th dport }`,
    'meta l4proto tcp counter reject with tcp reset',
    'counter reject with icmpx admin-prohibited',
  ]);
  out.push('}');
  return `${out.join('\n')}\n`;
}

function chain(out: string[], name: string, hook: string | undefined, rules: readonly string[]): void {
  out.push(`  chain ${name} {`);
  if (hook) out.push(`    ${hook}`);
  for (const r of rules) if (r !== '') out.push(`    ${r}`);
  out.push('  }');
}

function dnsRedirect(fam: 'ip' | 'ip6', target: DnsTarget | undefined, seen: string): string[] {
  if (!target) return [];
  const nfproto = fam === 'ip' ? 'ipv4' : 'ipv6';
  const to = target.address === undefined ? `redirect to :${target.port}`
    : fam === 'ip' ? `dnat ip to ${target.address}:${target.port}` : `dnat ip6 to [${target.address}]:${target.port}`;
  return [
    // Asking any other resolver is a bypass attempt, answered by schoolgate all the same.
    target.address === undefined ? '' : `${fam} daddr != ${target.address} add @${seen} { ${fam} saddr . ${fam} daddr . meta l4proto . th dport }`,
    `meta nfproto ${nfproto} meta l4proto { tcp, udp } ${to}`,
  ].filter((r) => r !== '');
}

/**
 * Bytes per device are counted for every group. Shaped groups get an HTB class: download on the
 * LAN egress, upload on the WAN egress, both chosen here by setting the packet's priority to a
 * class id (HTB classifies on skb->priority first). Devices hash into the group's buckets for
 * fairness; a device over quota has a class of its own.
 */
function renderShaping(out: string[], plan: FirewallPlan, lan: string, wan: string, mark: (g: GroupPlan) => number): void {
  const shaped = plan.groups.filter((g) => g.bandwidth);
  const vmap = shaped.map((g) => `${hex(mark(g))} : jump shape_${g.name}`);
  chain(out, 'shape', 'type filter hook forward priority mangle; policy accept;', [
    `iifname ${lan} oifname ${wan} jump account`,
    `iifname ${wan} oifname ${lan} jump account`,
  ]);
  chain(out, 'account', undefined, [
    `meta nfproto ipv4 update @${setNames.usage4} { ct mark and 0xff . ct direction . ct original ip saddr }`,
    `meta nfproto ipv6 update @${setNames.usage6} { ct mark and 0xff . ct direction . ct original ip6 saddr }`,
    vmap.length > 0 ? `ct mark and 0xffff vmap { ${vmap.join(', ')} }` : '',
  ]);
  for (const g of shaped) {
    const bw = g.bandwidth;
    if (!bw) continue;
    const bucketBase = ((TC_MAJOR << 16) | (bw.classBase + 1)) >>> 0;
    const rules = (dir: 'saddr' | 'daddr', capped: boolean) => [
      capped ? `meta nfproto ipv4 meta priority set jhash ip ${dir} mod ${plan.buckets} offset ${bucketBase}` : '',
      capped ? `meta nfproto ipv6 meta priority set jhash ip6 ${dir} mod ${plan.buckets} offset ${bucketBase}` : '',
      bw.dailyQuota !== undefined ? `meta priority set ip ${dir} map @${setNames.overQuota4}` : '',
      bw.dailyQuota !== undefined ? `meta priority set ip6 ${dir} map @${setNames.overQuota6}` : '',
    ];
    chain(out, `shape_${g.name}`, undefined, ['ct direction original jump up_' + g.name, 'ct direction reply jump down_' + g.name]);
    chain(out, `up_${g.name}`, undefined, rules('saddr', bw.up !== undefined));
    chain(out, `down_${g.name}`, undefined, rules('daddr', bw.down !== undefined));
  }
}
