// Acceptance of the traffic stage in the namespace lab, with the real daemon and real tools: a
// pupil who skips DNS (curl --resolve) to a name blocked for pupils is cut off at the TLS
// handshake; staff are not; the attempt is in the query log with reason "sni".
import t from 'tap';
import { join } from 'node:path';
import { createLab, NET } from '../lab/lab.js';
import { run, until } from '../lab/exec.js';
import { CLI } from '../helpers/daemon.js';
import { startTrafficDaemon } from './traffic-lab.js';

const NAME = 'blocked.example';
/** a web server 100 ms away (TEST-NET-3), see far-web-server.ts */
const FAR = '203.0.113.70';

t.test('a blocked server name on the wire cuts the connection', async (t) => {
  const lab = await createLab();
  t.teardown(() => lab.destroy());
  // The lab internet answers within a millisecond; a real server is tens of ms away, and that
  // round trip is the time the block has to land in. This server starts its handshake 100 ms late
  // (a far server; the margin keeps a loaded CI machine's slower nft from losing the race).
  await lab.must('inet', ['ip', 'addr', 'add', `${FAR}/32`, 'dev', 'lo']);
  const far = lab.spawn('inet', 'far-web', [process.execPath, '--import', 'tsx', new URL('./far-web-server.ts', import.meta.url).pathname, lab.cert, join(lab.dir, 'lab-key.pem'), FAR, '100']);
  await far.waitFor(/far web server listening/, 20_000);
  const { configPath, daemon } = await startTrafficDaemon(lab, NAME, 'traffic.yaml');

  const curl = async (who: 'pupil' | 'staff') => {
    const t0 = performance.now();
    const r = await lab.exec(who, ['curl', '-sk', '-m', '4', '--resolve', `${NAME}:443:${FAR}`, `https://${NAME}/`], { timeoutMs: 8000 });
    return { ...r, ms: performance.now() - t0 };
  };

  await t.test('staff: the page loads', async (t) => {
    const r = await curl('staff');
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, `host=${NAME}`);
  });

  await t.test('pupil: cut off within 1 s, and stays cut off', async (t) => {
    const r = await curl('pupil');
    t.ok(r.code === 35 || r.code === 56, `curl: connection reset in the handshake (exit ${r.code})`);
    t.notMatch(r.stdout, /schoolgate-lab/, 'no page');
    t.ok(r.ms < 1000, `ended after ${Math.round(r.ms)} ms (a reset, not curl's timeout)`);
    const again = await curl('pupil');
    t.not(again.code, 0, 'the next attempt fails too (device → address block)');
    t.ok(again.ms < 1000, `…at once (${Math.round(again.ms)} ms)`);
    const rules = (await lab.exec('app', ['nft', 'list', 'set', 'inet', 'schoolgate', 'flowblock4'])).stdout;
    t.match(rules, `10.10.1.10 . ${FAR}`, 'the pair is in the flow-block set');
  });

  await t.test('staff are still not affected', async (t) => {
    const r = await curl('staff');
    t.equal(r.code, 0, r.stderr);
    const web = await lab.exec('pupil', ['curl', '-sk', '-m', '4', `https://${NET.web}/`], { timeoutMs: 8000 });
    t.equal(web.code, 0, 'the pupil reaches other servers');
  });

  await t.test('the query log has the attempt, reason sni', async (t) => {
    const token = await run([process.execPath, '--import', 'tsx', CLI, 'token', 'add', 'traffic-test', '--role', 'technician', '--config', configPath]);
    t.equal(token.code, 0, token.stderr);
    const bearer = token.stdout.trim().split('\n').pop() ?? '';
    type Items = { items: { client: string; name: string; reason: string; action: string; type: string }[] };
    let items: Items['items'] = [];
    const found = await until(async () => {
      const r = await lab.exec('app', ['curl', '-s', '-H', `authorization: Bearer ${bearer}`, `http://10.10.0.1:443/api/v1/querylog?client=10.10.1.10&domain=${NAME}`]);
      try {
        items = (JSON.parse(r.stdout) as Items).items;
      } catch {
        return false;
      }
      return items.some((i) => i.reason === 'sni');
    }, 8000);
    t.ok(found, 'found within the flush interval');
    t.match(items.find((i) => i.reason === 'sni'), { client: '10.10.1.10', name: NAME, action: 'block', type: 'TLS' });
    const staff = await lab.exec('app', ['curl', '-s', '-H', `authorization: Bearer ${bearer}`, `http://10.10.0.1:443/api/v1/querylog?client=10.10.2.10&domain=${NAME}`]);
    t.notMatch(staff.stdout, /"sni"/, 'nothing for staff');
  });

  t.ok(daemon.logs.some((l) => l.msg === 'blocked server name on the wire' && l.reason === 'sni'), 'the daemon log says so too');
});
