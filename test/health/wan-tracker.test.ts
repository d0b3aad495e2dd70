import t from 'tap';
import { WanTracker, roundLevel } from '../../src/health/index.js';
import type { ProbeOutcome, WanLevel } from '../../src/health/index.js';

const icmp = (ok: boolean): ProbeOutcome => ({ kind: 'icmp', target: '198.51.100.1', ok });
const dns = (ok: boolean): ProbeOutcome => ({ kind: 'dns', target: '198.51.100.1:53', ok });
const R = {
  up: [icmp(true), dns(true)],
  down: [icmp(false), dns(false)],
  noDns: [icmp(true), dns(false)],
  dnsOnly: [icmp(false), dns(true)],
};

t.test('one round\'s level', async (t) => {
  t.equal(roundLevel(R.up), 'up');
  t.equal(roundLevel(R.dnsOnly), 'up', 'ICMP filtered upstream, DNS fine: up');
  t.equal(roundLevel(R.noDns), 'no-dns');
  t.equal(roundLevel(R.down), 'down');
  t.equal(roundLevel([icmp(true)]), 'up', 'no upstreams configured: ICMP decides');
  t.equal(roundLevel([]), undefined);
});

const sequences: { name: string; rules?: { downAfter: number; upAfter: number }; rounds: (keyof typeof R)[]; want: WanLevel[] }[] = [
  { name: 'starts unknown, one good round is up', rounds: ['up', 'up'], want: ['up', 'up'] },
  { name: 'a bad start needs downAfter rounds', rounds: ['down', 'down'], want: ['unknown', 'down'] },
  { name: 'one lost round does not flap', rounds: ['up', 'down', 'up', 'down', 'up'], want: ['up', 'up', 'up', 'up', 'up'] },
  { name: 'two lost rounds in a row are down', rounds: ['up', 'down', 'down', 'down'], want: ['up', 'up', 'down', 'down'] },
  { name: 'one good round brings it back (upAfter 1)', rounds: ['up', 'down', 'down', 'up'], want: ['up', 'up', 'down', 'up'] },
  { name: 'upAfter 3 needs three, from the start too', rules: { downAfter: 2, upAfter: 3 }, rounds: ['up', 'up', 'up', 'down', 'down', 'up', 'up', 'down', 'up', 'up', 'up'], want: ['unknown', 'unknown', 'up', 'up', 'down', 'down', 'down', 'down', 'down', 'down', 'up'] },
  { name: 'mixed bad rounds count together and land on the latest', rounds: ['up', 'noDns', 'down'], want: ['up', 'up', 'down'] },
  { name: 'DNS failing alone', rounds: ['up', 'noDns', 'noDns', 'up'], want: ['up', 'up', 'no-dns', 'up'] },
  { name: 'from no-dns, DNS back is better', rounds: ['up', 'noDns', 'noDns', 'dnsOnly'], want: ['up', 'up', 'no-dns', 'up'] },
];
for (const s of sequences) {
  t.test(s.name, async (t) => {
    const tracker = new WanTracker(s.rules ?? { downAfter: 2, upAfter: 1 });
    const got = s.rounds.map((r, i) => {
      tracker.round(R[r], i * 1000);
      return tracker.current.level;
    });
    t.same(got, s.want);
  });
}

t.test('since marks the change; streak counts the disagreeing rounds', async (t) => {
  const tracker = new WanTracker({ downAfter: 3, upAfter: 1 });
  t.equal(tracker.round(R.up, 1000), true);
  t.equal(tracker.current.since, 1000);
  t.equal(tracker.round(R.down, 2000), false);
  t.equal(tracker.current.streak, 1);
  t.equal(tracker.round(R.down, 3000), false);
  t.equal(tracker.current.streak, 2);
  t.equal(tracker.round(R.up, 4000), false, 'a good round resets the streak');
  t.equal(tracker.current.streak, 0);
  t.equal(tracker.current.since, 1000);
  tracker.round(R.down, 5000);
  tracker.round(R.down, 6000);
  t.equal(tracker.round(R.down, 7000), true);
  t.match(tracker.current, { level: 'down', since: 7000, streak: 0 });
  tracker.round([icmp(false)], 8000);
  t.same(tracker.current.evidence, R.down, 'evidence: the round that made it down');
  t.same(tracker.current.last, [icmp(false)], 'last: the newest round');
});

t.test('nothing to probe is unknown, with the reason', async (t) => {
  const tracker = new WanTracker({ downAfter: 2, upAfter: 1 });
  tracker.round(R.up, 1000);
  t.equal(tracker.round([], 2000, 'nothing to probe'), true);
  t.match(tracker.current, { level: 'unknown', unavailable: 'nothing to probe' });
});
