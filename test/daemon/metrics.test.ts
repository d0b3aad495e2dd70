// Our Prometheus text must satisfy Prometheus's own checker (promtool, Debian's prometheus).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { MetricsRegistry } from '../../src/daemon/index.js';

t.test('promtool accepts the exposition', async (t) => {
  const m = new MetricsRegistry();
  m.register('schoolgate_dns_queries_total', 'DNS queries answered', 'counter', () => [
    { labels: { action: 'allow', rcode: 'NOERROR' }, value: 10 },
    { labels: { action: 'block', rcode: 'NXDOMAIN' }, value: 3 },
  ]);
  m.register('schoolgate_incidents_open', 'Unacknowledged incidents', 'gauge', () => 2);
  m.register('schoolgate_list_age_seconds', 'Age of each list copy', 'gauge', () => [{ labels: { list: 'ut1 "main"\\' }, value: 3600.5 }]);
  const text = m.render();
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  t.equal(r.status, 0, `${r.stdout}${r.stderr}\n${text}`);
  t.match(text, /schoolgate_list_age_seconds\{list="ut1 \\"main\\"\\\\"\} 3600.5/);
  t.throws(() => m.register('bad name', 'x', 'gauge', () => 1));
});
