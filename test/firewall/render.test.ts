// The pure renderers: config → plan → nftables text and tc commands. The kernel itself checks
// this text in kernel.test.ts; here each case pins one rule the design depends on.
import t from 'tap';
import { buildPlan, renderRuleset, renderLearn, renderBlocking, renderTcBatch, renderTcPrune, tcClasses, emptyElements, planGeneration } from '../../src/firewall/index.js';
import type { FirewallPlan } from '../../src/firewall/index.js';
import { configOf } from './config-fixture.js';

const base = {
  mode: 'gateway',
  network: { wan: 'eth0', lan: ['eth1'], nat: true },
  dns: { listen: ['10.10.0.1:53', '[fd00::1]:53'], upstreams: ['192.0.2.1:53'], blocking: { answer: 'nxdomain' } },
  groups: [
    { name: 'staff', match: { subnets: ['10.10.2.0/24'], macs: ['AA-BB-CC-DD-EE-01'] }, block: ['adult'] },
    { name: 'pupils', match: { subnets: ['10.10.1.0/24', 'fd00:1::/64'], ranges: ['10.10.5.10-10.10.5.20'] }, block: ['doh', 'vpn'], blockQuic: true, bandwidth: { down: '8mbit', up: '2mbit', dailyQuota: '2GB', overQuota: '1mbit' } },
    { name: 'guests', default: true, block: ['doh'] },
  ],
};

function plan(patch: (c: typeof base) => void = () => undefined): FirewallPlan {
  const raw = structuredClone(base);
  patch(raw);
  const p = buildPlan(configOf(raw));
  if (!p.ok) throw new Error(p.error);
  return p.plan;
}

t.test('plan', async (t) => {
  const cases: { name: string; patch: (c: typeof base) => void; check: (p: ReturnType<typeof buildPlan>) => void }[] = [
    { name: 'group ids follow config order, the default group is the fallback', patch: () => undefined, check: (p) => {
      t.ok(p.ok);
      if (!p.ok) return;
      t.same(p.plan.groups.map((g) => [g.name, g.id]), [['staff', 1], ['pupils', 2], ['guests', 3]]);
      t.equal(p.plan.defaultGroup.name, 'guests');
      t.same(p.plan.groups[0].macs, ['aa:bb:cc:dd:ee:01'], 'MACs normalised');
      t.same(p.plan.groups[1].v4, ['10.10.1.0/24', '10.10.5.10-10.10.5.20']);
      t.same(p.plan.groups[1].v6, ['fd00:1::/64']);
    } },
    { name: 'rates and sizes parsed; only shaped groups get a class base', patch: () => undefined, check: (p) => {
      if (!p.ok) return t.fail(p.error);
      t.same(p.plan.groups[1].bandwidth, { down: 8e6, up: 2e6, dailyQuota: 2e9, overQuota: 1e6, classBase: 0x400 });
      t.equal(p.plan.groups[0].bandwidth, undefined);
    } },
    { name: 'loopback-only DNS cannot be a redirect target', patch: (c) => { c.dns.listen = ['127.0.0.1:5353']; }, check: (p) => {
      t.notOk(p.ok);
      if (!p.ok) t.match(p.error, /loopback only/);
    } },
    { name: 'a wildcard listener means redirect to the receiving address', patch: (c) => { c.dns.listen = ['0.0.0.0:53']; }, check: (p) => {
      if (!p.ok) return t.fail(p.error);
      t.same(p.plan.dns4, { address: undefined, port: 53 });
      t.equal(p.plan.dns6, undefined);
    } },
    { name: 'category names become safe, distinct set keys', patch: (c) => { (c.network as Record<string, unknown>).bypass = { categories: ['residential-proxies', 'residential.proxies'] }; }, check: (p) => {
      if (!p.ok) return t.fail(p.error);
      t.same(p.plan.bypass.map((b) => b.key), ['residential_proxies', 'residential_proxies_']);
    } },
  ];
  for (const c of cases) {
    t.test(c.name, async () => {
      const raw = structuredClone(base);
      c.patch(raw);
      c.check(buildPlan(configOf(raw)));
    });
  }
});

t.test('ruleset text', async (t) => {
  const p = plan();
  const text = renderRuleset(p, 7, {
    ...emptyElements(),
    listed: new Map([['doh', ['203.0.113.54', '2001:db8::54']]]),
    learned: new Map([['doh', [{ address: '203.0.113.53', seconds: 99.2 }, { address: '203.0.113.54', seconds: 50 }]]]),
    blocking: new Map([['doh', [2, 3]]]),
    overQuota: [{ address: '10.10.1.10', minor: 0x500 }],
    flowBlocks: [{ client: '10.10.1.10', server: '203.0.113.10', seconds: 99.2 }, { client: 'fd00::10', server: '2001:db8::10', seconds: 5 }, { client: '10.10.1.11', server: '2001:db8::10', seconds: 5 }],
  });
  const cases: [string, RegExp][] = [
    ['replaces only our table, atomically', /^table inet schoolgate \{\}\ndelete table inet schoolgate\ntable inet schoolgate \{\n/],
    ['carries its generation and epoch', new RegExp(`comment "schoolgate gen=${planGeneration(p)} epoch=7"`)],
    ['DNS from the LAN to anywhere goes to the daemon (v4)', /iifname "eth1" meta l4proto \{ tcp, udp \} th dport 53 jump dns_redirect/],
    ['… to its listen address and port', /meta nfproto ipv4 meta l4proto \{ tcp, udp \} dnat ip to 10\.10\.0\.1:53/],
    ['… and over IPv6', /dnat ip6 to \[fd00::1\]:53/],
    ['foreign resolvers are recorded as attempts', /ip daddr != 10\.10\.0\.1 add @seen4/],
    ['DoT and DoQ are refused', /meta l4proto \{ tcp, udp \} th dport 853 jump deny/],
    ['listed addresses have no timeout, learned ones do (rounded up)', /set bypass4_doh \{ type ipv4_addr; flags timeout; elements = \{ 203\.0\.113\.54, 203\.0\.113\.53 timeout 100s \}; \}/],
    ['IPv6 endpoints in their own set', /set bypass6_doh \{ type ipv6_addr; flags timeout; elements = \{ 2001:db8::54 \}; \}/],
    ['blocking groups as epoch|id marks', /set blocking_doh \{ type mark; elements = \{ 0x0702, 0x0703 \}; \}/],
    ['bypass check for blocking groups only', /ct mark and 0xffff @blocking_doh ip daddr @bypass4_doh jump bypass_doh/],
    ['exemptions return before the deny', /chain bypass_doh \{\n    ip saddr @exempt4_doh return\n    ip6 saddr @exempt6_doh return\n    ether saddr @exemptmac_doh return\n    jump deny/],
    ['QUIC refused for blockQuic groups', /ct mark and 0xffff \{ 0x0702 \} udp dport 443 jump deny/],
    ['MAC match first, in group order', /ether saddr @srcmac_staff ct mark set ct mark and 0xffff0000 or 0x0701 return\n    ip saddr @src4_staff/],
    ['default group last', /ct mark set ct mark and 0xffff0000 or 0x0703\n  \}/],
    ['reclassified when the epoch changes', /ct direction original ct mark and 0xff00 != 0x0700 jump classify/],
    ['established fast path after the bypass checks', /iifname "eth1" jump from_lan\n    ct state established,related accept/],
    ['forward policy drop', /type filter hook forward priority filter; policy drop;/],
    ['NAT on the WAN (IPv4 only)', /meta nfproto ipv4 oifname "eth0" masquerade/],
    ['bytes per group, direction and device', /update @usage4 \{ ct mark and 0xff \. ct direction \. ct original ip saddr \}/],
    ['shaped groups only in the vmap', /ct mark and 0xffff vmap \{ 0x0702 : jump shape_pupils \}/],
    ['device buckets by hash (upload)', new RegExp(`chain up_pupils \\{\\n    meta nfproto ipv4 meta priority set jhash ip saddr mod 64 offset ${(0x5347 << 16) | 0x401}`)],
    ['over-quota devices to their own class', /map overquota4 \{ type ipv4_addr : classid; elements = \{ 10\.10\.1\.10 : 5347:500 \}; \}/],
    ['flow blocks carried over with the time they have left (rounded up)', /set flowblock4 \{ type ipv4_addr \. ipv4_addr; size 65535; flags timeout; elements = \{ 10\.10\.1\.10 \. 203\.0\.113\.10 timeout 100s \}; \}/],
    ['… IPv6 ones in their own set (a mixed pair in neither)', /set flowblock6 \{ type ipv6_addr \. ipv6_addr; size 65535; flags timeout; elements = \{ fd00::10 \. 2001:db8::10 timeout 5s \}; \}/],
    ['over-quota lookup after the bucket', /meta priority set ip daddr map @overquota4/],
  ];
  for (const [name, re] of cases) t.match(text, re, name);
  t.notMatch(text, /@blocking_vpn ip daddr[^\n]*\n[^\n]*0x0701/, 'staff never in a blocking set it does not block');

  t.test('no NAT, no IPv6 listener', async (t) => {
    const q = plan((c) => {
      c.network.nat = false;
      c.dns.listen = ['10.10.0.1:53'];
    });
    const txt = renderRuleset(q, 1, emptyElements());
    t.notMatch(txt, /masquerade/);
    t.notMatch(txt, /dnat ip6/, 'IPv6 DNS is not redirected …');
    t.match(txt, /th dport 53 jump deny/, '… so it is refused in forward');
  });
  t.test('the generation ignores dynamic elements and the epoch', async (t) => {
    t.equal(planGeneration(plan()), planGeneration(plan()));
    t.not(planGeneration(plan()), planGeneration(plan((c) => { c.groups[1].blockQuic = false; })));
  });
});

t.test('element updates', async (t) => {
  const p = plan();
  const doh = p.bypass.find((b) => b.category === 'doh');
  if (!doh) throw new Error('no doh');
  t.same(renderLearn(doh, [{ address: '203.0.113.53', seconds: 3600 }, { address: '2001:db8::53', seconds: 60.5 }], []), [
    'add element inet schoolgate bypass4_doh { 203.0.113.53 timeout 3600s }',
    'add element inet schoolgate bypass6_doh { 2001:db8::53 timeout 61s }',
  ], 'fresh addresses: one add per family');
  t.same(renderLearn(doh, [], [{ address: '203.0.113.53', seconds: 600 }]), [
    'add element inet schoolgate bypass4_doh { 203.0.113.53 }',
    'delete element inet schoolgate bypass4_doh { 203.0.113.53 }',
    'add element inet schoolgate bypass4_doh { 203.0.113.53 timeout 600s }',
  ], 'a refresh cannot fail on an element the kernel just expired');
  t.same(renderBlocking(p, 3, doh, [2], { v4: ['10.10.1.99'], v6: [], macs: [] }), [
    'flush set inet schoolgate blocking_doh',
    'add element inet schoolgate blocking_doh { 0x302 }',
    'flush set inet schoolgate exempt4_doh',
    'add element inet schoolgate exempt4_doh { 10.10.1.99 }',
    'flush set inet schoolgate exempt6_doh',
    'flush set inet schoolgate exemptmac_doh',
  ]);
});

t.test('tc', async (t) => {
  const p = plan();
  const down = tcClasses(p, 'down', [{ minor: 0x500, rate: 1e6 }]);
  t.equal(down.length, 1 + 64 + 1, 'group class, 64 device buckets, one over-quota device');
  t.same(down[0], { minor: 0x400, parentMinor: 0, rate: 8e6, ceil: 8e6, quantum: 1514 });
  t.same(down[1], { minor: 0x401, parentMinor: 0x400, rate: 125000, ceil: 8e6, quantum: 1514 });
  const lines = renderTcBatch('eth1', down, 'pfifo');
  t.equal(lines[0], 'qdisc replace dev eth1 root handle 5347: htb default 0 direct_qlen 1000', 'unclassified traffic is not shaped');
  t.equal(lines[1], 'class replace dev eth1 parent 5347: classid 5347:400 htb rate 8000000bit ceil 8000000bit quantum 1514');
  t.equal(lines[3], 'qdisc replace dev eth1 parent 5347:401 handle 401: pfifo limit 300', 'every leaf gets a real queue');
  t.match(lines.at(-1), /parent 5347:500 handle 500: pfifo/);
  t.notOk(renderTcBatch('eth1', down, 'fq_codel', true).some((l) => l.includes('root')), 'an existing root of ours is kept (HTB cannot change in place)');
  t.same(tcClasses(p, 'up', []).length, 65);
  t.same(renderTcPrune('eth1', [0x400, 0x401, 0x800, 0x801, 0x500], down), [
    'class del dev eth1 classid 5347:801',
    'class del dev eth1 classid 5347:800',
  ], 'stale classes go, leaves before their parent');
});
