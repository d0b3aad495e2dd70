// The filtering self-test (DfE: the annual review keeps evidence that filtering works). For
// every group: one listed name per category the group blocks, the canaries and a safe-search
// name are asked through the real DNS path (ctx.services.dns.answer, the group forced, as a
// client of that group would ask), and each answer is judged against what the policy says
// should happen right now (a category opened by a schedule is expected to be allowed).
import { randomBytes } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';
import type { SelfTestLine, SelfTestRun } from './schemas/index.js';
import type { DaemonContext, DnsService } from '../daemon/index.js';
import { SELF_TEST_CLIENT, lookupName } from '../daemon/index.js';
import type { Actor } from '../audit/index.js';
import { sampleDomain } from './self-test-samples.js';

/** A TEST-NET address: no device-scoped override applies to it (group ones do), and the recorder
 * keeps its probes out of the query log and incident detection. */
const PROBE_CLIENT = SELF_TEST_CLIENT;
const TIMEOUT_MS = 5000;
const CANARIES: { name: string; qtype: 'A' | 'SVCB'; expected: 'nxdomain' | 'no-records' }[] = [
  { name: 'use-application-dns.net', qtype: 'A', expected: 'nxdomain' },
  { name: 'mask.icloud.com', qtype: 'A', expected: 'nxdomain' },
  { name: 'mask-h2.icloud.com', qtype: 'A', expected: 'nxdomain' },
  { name: '_dns.resolver.arpa', qtype: 'SVCB', expected: 'no-records' },
];
const SAFE_HOSTS = /^(forcesafesearch\.google\.com|restrict(moderate)?\.youtube\.com|strict\.bing\.com|safe\.duckduckgo\.com)\.?$/i;
const EDE_OPTION = 15;
const EDE_BLOCKED = new Set([15, 17]);

type Expected = SelfTestLine['expected'];
interface Probe { group: string; check: SelfTestLine['check']; category?: string; name: string; qtype: 'A' | 'SVCB'; expected: Expected; skip?: string }

export async function runSelfTest(ctx: DaemonContext, dns: DnsService, by: Actor): Promise<SelfTestRun> {
  const startedAt = ctx.clock.now();
  const probes = await plan(ctx, startedAt);
  const lines: SelfTestLine[] = [];
  // Four at a time: quick, and gentle on a Pi that is serving the school meanwhile.
  for (let i = 0; i < probes.length; i += 4) lines.push(...(await Promise.all(probes.slice(i, i + 4).map((p) => probe(ctx, dns, p)))));
  const count = (r: SelfTestLine['result']) => lines.filter((l) => l.result === r).length;
  return {
    id: `${startedAt.toString(36)}-${randomBytes(3).toString('hex')}`,
    startedAt: new Date(startedAt).toISOString(), finishedAt: new Date(ctx.clock.now()).toISOString(), by: by.name,
    passed: count('pass'), failed: count('fail'), skipped: count('skip'), lines,
  };
}

async function plan(ctx: DaemonContext, now: number): Promise<Probe[]> {
  const state = ctx.state.current;
  const { config, index } = state;
  const out: Probe[] = [];
  for (const g of config.groups) {
    const blocked = [...new Set([...config.locked, ...g.block])].filter((c) => index.categories.find((m) => m.name === c)?.kind !== 'allow');
    for (const category of blocked) {
      const name = await sampleDomain(config, index, category);
      if (!name) {
        out.push({ group: g.name, check: 'category', category, name: '-', qtype: 'A', expected: 'blocked', skip: `no name known to be listed in "${category}" (set admin.selfTest.domains.${category})` });
        continue;
      }
      const looked = lookupName(state, name, now, { ip: PROBE_CLIENT, group: g.name });
      const allowed = looked.ok && looked.answer.decisions[0]?.decision.action === 'allow';
      out.push({ group: g.name, check: 'category', category, name, qtype: 'A', expected: allowed ? 'allowed' : 'blocked' });
    }
    for (const c of CANARIES) out.push({ group: g.name, check: 'canary', name: c.name, qtype: c.qtype, expected: c.expected });
    if (g.safeSearch !== 'off') out.push({ group: g.name, check: 'safe-search', name: 'www.google.com', qtype: 'A', expected: 'rewritten' });
  }
  return out;
}

async function probe(ctx: DaemonContext, dns: DnsService, p: Probe): Promise<SelfTestLine> {
  const at = new Date(ctx.clock.now()).toISOString();
  const line = { group: p.group, check: p.check, category: p.category, name: p.name, qtype: p.qtype, expected: p.expected, at };
  if (p.skip) return { ...line, got: 'not asked', result: 'skip', detail: p.skip, ms: 0 };
  const query = dnsPacket.encode({
    type: 'query', id: Math.floor(Math.random() * 65536), flags: dnsPacket.RECURSION_DESIRED,
    // dns-packet has no SVCB (64) by name: its generic form.
    questions: [{ type: (p.qtype === 'SVCB' ? 'UNKNOWN_64' : p.qtype) as 'A', name: p.name, class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options: [] } as unknown as Answer],
  });
  const t0 = performance.now();
  let answer: Packet;
  try {
    answer = dnsPacket.decode(Buffer.from(await withTimeout(dns.answer(query, { ip: PROBE_CLIENT, group: p.group }), TIMEOUT_MS)));
  } catch (err) {
    return { ...line, got: `no answer: ${(err as Error).message}`, result: 'fail', ms: Math.round(performance.now() - t0) };
  }
  const ms = Math.round((performance.now() - t0) * 10) / 10;
  const seen = describe(ctx, answer);
  return { ...line, got: seen.text, result: judge(p.expected, seen) ? 'pass' : 'fail', detail: seen.ede, ms };
}

interface Seen { text: string; rcode: string; blocked: boolean; records: number; cnames: string[]; ede?: string }

function describe(ctx: DaemonContext, a: Packet): Seen {
  const { blocking } = ctx.state.current.config.dns;
  const rcode = (a as { rcode?: string }).rcode ?? 'NOERROR';
  const answers = a.answers ?? [];
  const opt = (a.additionals ?? []).find((r) => r.type === 'OPT') as { options?: { code: number; data?: Buffer }[] } | undefined;
  const ede = opt?.options?.find((o) => o.code === EDE_OPTION);
  const edeCode = ede?.data && ede.data.length >= 2 ? ede.data.readUInt16BE(0) : undefined;
  const edeText = ede?.data && ede.data.length > 2 ? ede.data.subarray(2).toString('utf8') : undefined;
  const data = (r: Answer) => String((r as { data?: unknown }).data);
  const addresses = answers.filter((r) => r.type === 'A' || r.type === 'AAAA').map(data);
  const blockAddress = blocking.answer === 'blockpage' ? blocking.address : blocking.answer === 'null' ? '0.0.0.0' : undefined;
  const blocked = (edeCode !== undefined && EDE_BLOCKED.has(edeCode)) || (blockAddress !== undefined && addresses.includes(blockAddress));
  const cnames = answers.filter((r) => r.type === 'CNAME').map(data);
  const parts = [rcode, addresses.length ? addresses.join(' ') : '', cnames.length ? `CNAME ${cnames.join(' ')}` : '', edeCode !== undefined ? `EDE ${edeCode}` : ''].filter(Boolean);
  return { text: parts.join(', '), rcode, blocked, records: answers.length, cnames, ede: edeText ? `EDE: ${edeText}` : undefined };
}

function judge(expected: Expected, s: Seen): boolean {
  switch (expected) {
    case 'blocked': return s.blocked;
    case 'allowed': return !s.blocked;
    case 'nxdomain': return s.rcode === 'NXDOMAIN';
    case 'no-records': return (s.rcode === 'NOERROR' || s.rcode === 'NXDOMAIN') && s.records === 0;
    case 'rewritten': return s.cnames.some((c) => SAFE_HOSTS.test(c));
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms); })]).finally(() => clearTimeout(timer));
}
