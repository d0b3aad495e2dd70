// The pure state keepers: usage ledger (counters → daily totals → quota), learned addresses,
// parsers of nft/tc output (fed real shapes, and junk), bypass attempt kinds.
import t from 'tap';
import {
  LearnedAddresses, UsageLedger, attemptKind, parseAddresses, parseFlowBlocks, parseOverQuota, parseSeen, parseTableIdentity, parseTcClasses, parseTcRootIsOurs, parseUsage,
} from '../../src/firewall/index.js';

const rules = new Map([[2, { name: 'pupils', dailyQuota: 1000 }], [1, { name: 'staff' }]]);

t.test('usage ledger', async (t) => {
  const cases: { name: string; run: (l: UsageLedger) => void }[] = [
    { name: 'counts deltas of growing counters, both directions', run: (l) => {
      l.observe([{ groupId: 2, direction: 'up', address: 'a', bytes: 100 }, { groupId: 2, direction: 'down', address: 'a', bytes: 300 }], rules, 1);
      l.observe([{ groupId: 2, direction: 'up', address: 'a', bytes: 150 }, { groupId: 2, direction: 'down', address: 'a', bytes: 300 }], rules, 2);
      t.match(l.get('a'), { up: 150, down: 300, group: 'pupils' });
    } },
    { name: 'a counter that went down was reset: all of it is new', run: (l) => {
      l.observe([{ groupId: 2, direction: 'down', address: 'a', bytes: 500 }], rules, 1);
      l.observe([{ groupId: 2, direction: 'down', address: 'a', bytes: 20 }], rules, 2);
      t.equal(l.get('a')?.down, 520);
    } },
    { name: 'countersReset after a rebuild: the next reading counts whole', run: (l) => {
      l.observe([{ groupId: 2, direction: 'down', address: 'a', bytes: 500 }], rules, 1);
      l.countersReset();
      l.observe([{ groupId: 2, direction: 'down', address: 'a', bytes: 600 }], rules, 2);
      t.equal(l.get('a')?.down, 1100);
    } },
    { name: 'over quota once, at the crossing reading', run: (l) => {
      t.same(l.observe([{ groupId: 2, direction: 'down', address: 'a', bytes: 999 }], rules, 1).newlyOver, []);
      const o = l.observe([{ groupId: 2, direction: 'down', address: 'a', bytes: 1000 }], rules, 5);
      t.same(o.newlyOver.map((d) => [d.device, d.overQuotaSince]), [['a', 5]]);
      t.same(l.observe([{ groupId: 2, direction: 'down', address: 'a', bytes: 5000 }], rules, 6).newlyOver, [], 'not again');
    } },
    { name: 'groups without a quota never go over', run: (l) => {
      t.same(l.observe([{ groupId: 1, direction: 'down', address: 's', bytes: 1e12 }], rules, 1).newlyOver, []);
    } },
    { name: 'reset: the quota counts again from now, totals stay', run: (l) => {
      l.observe([{ groupId: 2, direction: 'down', address: 'a', bytes: 1200 }], rules, 1);
      const d = l.reset('a');
      t.match(d, { down: 1200, quotaBase: 1200, overQuotaSince: undefined, resets: 1 });
      t.same(l.observe([{ groupId: 2, direction: 'down', address: 'a', bytes: 2100 }], rules, 2).newlyOver, []);
      t.equal(l.observe([{ groupId: 2, direction: 'down', address: 'a', bytes: 2200 }], rules, 3).newlyOver.length, 1);
      t.equal(l.reset('nobody'), undefined);
    } },
    { name: 'rollover: new day, zero totals, kernel positions kept', run: (l) => {
      l.observe([{ groupId: 2, direction: 'down', address: 'a', bytes: 1500 }], rules, 1);
      const was = l.rollover('2026-03-02');
      t.same(was.map((d) => d.device), ['a']);
      l.observe([{ groupId: 2, direction: 'down', address: 'a', bytes: 1600 }], rules, 2);
      t.match(l.get('a'), { day: '2026-03-02', down: 100, overQuotaSince: undefined });
    } },
    { name: 'unknown group ids are ignored', run: (l) => {
      l.observe([{ groupId: 9, direction: 'down', address: 'x', bytes: 5 }], rules, 1);
      t.equal(l.get('x'), undefined);
    } },
  ];
  for (const c of cases) t.test(c.name, async () => c.run(new UsageLedger('2026-03-01')));

  t.test('restart: today continues, an earlier day gives the kernel positions', async (t) => {
    const l = new UsageLedger('2026-03-02', [
      { day: '2026-03-01', device: 'a', group: 'pupils', up: 1, down: 2, quotaBase: 0, resets: 0, seen: { '2|down': 700 } },
      { day: '2026-03-02', device: 'b', group: 'pupils', up: 10, down: 20, quotaBase: 0, resets: 0, seen: { '2|down': 900 } },
    ]);
    l.observe([{ groupId: 2, direction: 'down', address: 'a', bytes: 750 }, { groupId: 2, direction: 'down', address: 'b', bytes: 950 }], rules, 1);
    t.match(l.get('a'), { day: '2026-03-02', down: 50 });
    t.match(l.get('b'), { down: 70 });
  });
});

t.test('learned addresses', async (t) => {
  const l = new LearnedAddresses();
  l.setListed(new Map([['doh', ['192.0.2.54']]]));
  t.same(l.learn('doh', ['192.0.2.53', '192.0.2.54', '192.0.2.53'], 100, 0), { fresh: [{ address: '192.0.2.53', seconds: 100 }], refresh: [] }, 'listed ones are never timed; duplicates once');
  t.same(l.learn('doh', ['192.0.2.53'], 100, 10_000), { fresh: [], refresh: [] }, 'plenty of time left: nothing to do');
  t.same(l.learn('doh', ['192.0.2.53'], 100, 60_000).refresh.map((x) => x.address), ['192.0.2.53'], 'expiring too soon: refresh');
  t.same(l.learn('doh', ['192.0.2.53'], 100, 500_000).fresh.map((x) => x.address), ['192.0.2.53'], 'expired: fresh again');
  t.same(l.categoriesOf('192.0.2.54', 0), ['doh']);
  t.same(l.snapshot(550_000).get('doh'), [{ address: '192.0.2.53', seconds: 50 }]);
  t.same(l.setListed(new Map([['doh', ['192.0.2.55']]])).get('doh'), { added: ['192.0.2.55'], removed: ['192.0.2.54'] });
  l.seed('vpn', [{ address: '198.51.100.9', expires: 30 }, { address: '198.51.100.10' }], 0);
  t.same(l.snapshot(0).get('vpn'), [{ address: '198.51.100.9', seconds: 30 }], 'seeding takes timed elements only');
});

t.test('parsers take real nft output and shrug at junk', async (t) => {
  const usage = '{"nftables": [{"metainfo": {"version": "1.0.6"}}, {"set": {"family": "inet", "name": "usage4", "elem": [{"elem": {"val": {"concat": [2, "original", "10.10.1.10"]}, "expires": 86399, "counter": {"packets": 1, "bytes": 31}}}, {"elem": {"val": {"concat": [2, "reply", "10.10.1.10"]}, "counter": {"packets": 1, "bytes": 59}}}]}}]}';
  t.same(parseUsage(usage), [
    { groupId: 2, direction: 'up', address: '10.10.1.10', bytes: 31 },
    { groupId: 2, direction: 'down', address: '10.10.1.10', bytes: 59 },
  ]);
  const seen = '{"nftables": [{"set": {"name": "seen4", "elem": [{"elem": {"val": {"concat": ["10.0.0.1", "1.2.3.4", "udp", 53]}, "timeout": 100, "expires": 99}}]}}]}';
  t.same(parseSeen(seen), [{ client: '10.0.0.1', target: '1.2.3.4', protocol: 'udp', port: 53, expires: 99 }]);
  t.same(parseAddresses('{"nftables": [{"set": {"elem": ["1.2.3.4", {"elem": {"val": "5.6.7.8", "timeout": 300, "expires": 299}}]}}]}'), [{ address: '1.2.3.4', expires: undefined }, { address: '5.6.7.8', expires: 299 }]);
  t.same(parseOverQuota('{"nftables": [{"map": {"elem": [["10.0.0.5", "5347:601"]]}}]}'), [{ address: '10.0.0.5', minor: 0x601 }]);
  const flows = '{"nftables": [{"set": {"name": "flowblock4", "elem": [{"elem": {"val": {"concat": ["10.10.1.10", "203.0.113.10"]}, "timeout": 600, "expires": 596}}, {"elem": {"val": {"concat": ["10.10.1.11", "203.0.113.10"]}, "timeout": 2, "expires": 0}}]}}]}';
  t.same(parseFlowBlocks(flows), [{ client: '10.10.1.10', server: '203.0.113.10', seconds: 596 }], 'flow blocks with their time left; none at 0 s');
  t.same(parseTableIdentity('table inet schoolgate {\n\tcomment "schoolgate gen=abc123 epoch=9"\n'), { gen: 'abc123', epoch: 9 });
  for (const junk of ['', 'not json', '{}', '{"nftables": 5}', '{"nftables": [{"set": {"elem": [{"elem": null}, 7, ["x"]]}}]}', '[]']) {
    t.same(parseUsage(junk), [], `usage of ${JSON.stringify(junk)}`);
    t.same(parseSeen(junk), []);
    t.same(parseOverQuota(junk), []);
    t.same(parseFlowBlocks(junk), []);
  }
  t.equal(parseTableIdentity('table inet other {}'), undefined);
  const tc = 'class htb 5347:400 root rate 20Mbit ceil 20Mbit burst 1600b cburst 1600b\nclass htb 5347:401 parent 5347:400 leaf 401: prio 0 rate 312496bit\nclass htb 1:10 root rate 1Mbit\n';
  t.same(parseTcClasses(tc), [0x400, 0x401], 'only our classes');
  t.ok(parseTcRootIsOurs('qdisc htb 5347: root refcnt 2 r2q 10 default 0'));
  t.notOk(parseTcRootIsOurs('qdisc htb 1: root refcnt 2'), 'somebody else\'s HTB is not ours');
});

t.test('bypass attempt kinds', async (t) => {
  const a = (port: number, protocol = 'tcp') => ({ client: '10.0.0.1', target: '192.0.2.1', protocol, port, expires: 1 });
  const cases: [string, ReturnType<typeof attemptKind>, ReturnType<typeof attemptKind>][] = [
    ['foreign resolver', attemptKind(a(53, 'udp'), []), { kind: 'foreign-dns' }],
    ['DoT', attemptKind(a(853), ['doh']), { kind: 'dot' }],
    ['DoH endpoint', attemptKind(a(443), ['doh']), { kind: 'doh', category: 'doh' }],
    ['VPN endpoint', attemptKind(a(1194, 'udp'), ['vpn']), { kind: 'vpn', category: 'vpn' }],
    ['proxy category', attemptKind(a(443), ['residential-proxies']), { kind: 'proxy', category: 'residential-proxies' }],
    ['QUIC', attemptKind(a(443, 'udp'), []), { kind: 'quic' }],
  ];
  for (const [name, got, want] of cases) t.same(got, want, name);
});
