// Acceptance of gateway mode with the real daemon (`schoolgate run`) in the lab's appliance
// namespace, checked from the client namespaces with dig, kdig and curl.
import t from 'tap';
import { createLab, NET, ROGUE_ANSWER } from './lab.js';
import { until } from './exec.js';
const DOH_URL = (addr: string) => `https://${addr}/dns-query?dns=AAABAAABAAAAAAAAA3dlYgR0ZXN0AAABAAE`;

t.test('gateway mode with the real daemon', async (t) => {
  const lab = await createLab();
  t.teardown(() => lab.destroy());
  const daemon = await lab.startDaemon();
  const curl = (who: 'pupil' | 'staff', url: string) => lab.exec(who, ['curl', '-sk', '-m', '4', '-o', '/dev/null', '-w', '%{http_code}', url], { timeoutMs: 8000 });

  await t.test('a pupil asking the rogue resolver is answered by schoolgate', async (t) => {
    // (the lab's own start-up check asked the rogue resolver for web.test: only what follows counts)
    const before = lab.log('rogue').length;
    const r = await lab.exec('pupil', ['dig', '+short', '+time=2', '+tries=1', `@${NET.rogue}`, 'web.test']);
    t.equal(r.stdout.trim(), NET.web, 'the upstream\'s answer, through schoolgate');
    t.not(r.stdout.trim(), ROGUE_ANSWER);
    t.notMatch(lab.log('rogue').slice(before), /web\.test/, 'the rogue resolver\'s log shows nothing');
  });

  await t.test('DoT to the rogue resolver fails', async (t) => {
    const r = await lab.exec('pupil', ['kdig', '+short', '+tls', '+time=2', '+retry=0', `@${NET.rogue}`, 'web.test'], { timeoutMs: 8000 });
    t.not(r.code, 0);
    t.notMatch(r.stdout, new RegExp(ROGUE_ANSWER.replace(/\./g, '\\.')));
  });

  await t.test('a DoH address learned from a DNS answer: refused for pupils, open for staff', async (t) => {
    t.equal((await curl('pupil', DOH_URL(NET.doh))).stdout, '200', 'before anyone resolved doh.test, the address is unknown');
    // Staff may resolve doh.test (their group does not block doh): schoolgate learns its address.
    const r = await lab.exec('staff', ['dig', '+short', '+time=2', '+tries=1', '@10.10.0.1', 'doh.test']);
    t.equal(r.stdout.trim(), NET.doh);
    t.ok(await until(async () => (await curl('pupil', DOH_URL(NET.doh))).stdout === '000', 5000), 'pupils: refused');
    t.equal((await curl('staff', DOH_URL(NET.doh))).stdout, '200', 'staff: open');
  });

  await t.test('a listed DoH address: refused for pupils, open for staff', async (t) => {
    t.equal((await curl('pupil', DOH_URL(NET.dohStatic))).stdout, '000');
    t.equal((await curl('staff', DOH_URL(NET.dohStatic))).stdout, '200');
  });

  await t.test('kill -9 leaves the rules in force; a restart adopts them', async (t) => {
    const rules = (await lab.exec('app', ['nft', '-t', 'list', 'table', 'inet', 'schoolgate'])).stdout;
    await daemon.stop('SIGKILL');
    t.equal((await lab.exec('app', ['nft', '-t', 'list', 'table', 'inet', 'schoolgate'])).stdout, rules, 'the table is unchanged');
    t.match((await lab.exec('app', ['tc', 'qdisc', 'show', 'dev', 'br-lan'])).stdout, /htb 5347: root/, 'the shaping stays');
    t.equal((await curl('pupil', DOH_URL(NET.dohStatic))).stdout, '000', 'no fail-open window: still refused');
    const r = await lab.exec('pupil', ['kdig', '+short', '+tls', '+time=2', '+retry=0', `@${NET.rogue}`, 'web.test'], { timeoutMs: 8000 });
    t.not(r.code, 0, 'DoT still refused');

    const again = await lab.startDaemon();
    t.teardown(() => again.stop('SIGKILL'));
    const up = again.logs.find((l) => l.msg === 'gateway rules in force');
    t.match(up, { adopted: true, epoch: 1 }, 'same config: same epoch, flows keep their marks');
    t.equal((await curl('pupil', DOH_URL(NET.dohStatic))).stdout, '000');

    await t.test('a clean stop removes only our table and qdiscs', async (t) => {
      await lab.must('app', ['nft', 'add', 'table', 'ip', 'school_own']);
      t.equal(await again.stop('SIGTERM'), 0);
      const tables = (await lab.exec('app', ['nft', 'list', 'tables'])).stdout;
      t.notMatch(tables, /schoolgate/);
      t.match(tables, /school_own/);
      t.notMatch((await lab.exec('app', ['tc', 'qdisc', 'show'])).stdout, /5347:/);
    });
  });
});

t.test('dns-only mode leaves the kernel alone', async (t) => {
  const lab = await createLab({ services: false });
  t.teardown(() => lab.destroy());
  const d = await lab.startDaemon({ patch: (c) => { c.mode = 'dns-only'; } });
  t.teardown(() => d.stop('SIGKILL'));
  t.equal((await lab.exec('app', ['nft', 'list', 'ruleset'])).stdout.trim(), '', 'no nftables rules');
  t.notMatch((await lab.exec('app', ['tc', 'qdisc', 'show'])).stdout, /htb/, 'no qdiscs');
  t.ok(d.logs.some((l) => l.stage === 'firewall' && /dns-only/.test(String(l.msg))));
});
