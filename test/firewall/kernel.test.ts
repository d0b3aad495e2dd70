// The firewall stage against the real kernel, in a lab: interception and bypass rules seen from
// the client namespaces with real tools, dynamic set updates, rollback, clean removal. The stage
// runs in-process (so a test can emit events and swap the policy state); a stand-in resolver
// (dnsmasq) listens where the DNS stage will. test/lab/gateway.test.ts runs the real daemon.
import t from 'tap';
import type { Test } from 'tap';
import { withOverrides } from '../../src/daemon/index.js';
import type { Override } from '../../src/policy/index.js';
import { createNftCli, createTcCli, setNames } from '../../src/firewall/index.js';
import type { NftApplier, TcApplier } from '../../src/firewall/index.js';
import { createLab, NET } from '../lab/lab.js';
import type { ClientName, Lab } from '../lab/lab.js';
import { until } from '../lab/exec.js';
import { configOf } from './config-fixture.js';
import { startInProcess } from './in-process.js';
import type { InProcessFirewall } from './in-process.js';

const STANDIN_ANSWER = '10.10.0.1';

async function setup(t: Test, opts: { tc?: (lab: Lab) => TcApplier; nft?: (lab: Lab) => NftApplier } = {}): Promise<{ lab: Lab; fw: InProcessFirewall }> {
  const lab = await createLab();
  t.teardown(() => lab.destroy());
  const standin = lab.spawn('app', 'stand-in resolver', [
    'dnsmasq', '-d', '-k', '--no-resolv', '--no-hosts', '--bind-interfaces', '--listen-address=10.10.0.1', '--listen-address=fd00:10::1',
    '--port=53', `--address=/whoami.test/${STANDIN_ANSWER}`, `--server=${NET.upstream}`,
  ]);
  await standin.waitFor(/started/, 10_000);
  const fw = await startInProcess(lab, lab.config(), { tc: opts.tc?.(lab), nft: opts.nft?.(lab) });
  t.teardown(() => fw.stop());
  return { lab, fw };
}

const dig = (lab: Lab, who: ClientName, args: string[]) => lab.exec(who, ['dig', '+short', '+time=2', '+tries=1', ...args], { timeoutMs: 8000 });
const connect = (lab: Lab, who: ClientName, url: string) => lab.exec(who, ['curl', '-sk', '-m', '4', '-o', '/dev/null', '-w', '%{http_code}', '-g', url], { timeoutMs: 8000 });
const nftList = (lab: Lab, ...what: string[]) => lab.exec('app', ['nft', 'list', ...what]);

t.test('interception and bypass blocking from the client namespaces', async (t) => {
  const { lab, fw } = await setup(t);
  const events: { kind: string; client: string }[] = [];
  fw.ctx.events.on('bypass-attempt', (e) => events.push(e));
  const cases: { name: string; run: () => Promise<void> }[] = [
    { name: 'UDP DNS to a rogue resolver is answered by the appliance', run: async () => {
      t.equal((await dig(lab, 'pupil', [`@${NET.rogue}`, 'whoami.test'])).stdout.trim(), STANDIN_ANSWER);
    } },
    { name: 'TCP DNS too', run: async () => {
      t.equal((await dig(lab, 'staff', ['+tcp', `@${NET.rogue}`, 'whoami.test'])).stdout.trim(), STANDIN_ANSWER);
    } },
    { name: 'IPv6 DNS too', run: async () => {
      t.equal((await dig(lab, 'guest', [`@${NET.rogue6}`, 'whoami.test'])).stdout.trim(), STANDIN_ANSWER);
    } },
    { name: 'the rogue resolver never heard from the LAN', run: async () => {
      t.notMatch(lab.log('rogue'), /whoami\.test/);
    } },
    { name: 'DoT to the rogue resolver fails, for every group', run: async () => {
      for (const who of ['pupil', 'staff'] as const) {
        const r = await lab.exec(who, ['kdig', '+short', '+tls', '+time=2', '+retry=0', `@${NET.rogue}`, 'web.test'], { timeoutMs: 8000 });
        t.not(r.stdout.trim(), '203.0.113.99', `${who}: no DoT answer`);
      }
    } },
    { name: 'a listed DoH address: refused for pupils and guests, open for staff', run: async () => {
      const url = `https://${NET.dohStatic}/dns-query?dns=AAABAAABAAAAAAAAA3dlYgR0ZXN0AAABAAE`;
      t.equal((await connect(lab, 'pupil', url)).stdout, '000');
      t.equal((await connect(lab, 'guest', url)).stdout, '000');
      t.equal((await connect(lab, 'staff', url)).stdout, '200');
    } },
    { name: 'ordinary web traffic passes (NAT)', run: async () => {
      const r = await lab.exec('pupil', ['curl', '-s', '-m', '4', `http://${NET.web}/`]);
      t.match(r.stdout, new RegExp(`from=${NET.wanAppliance}`));
    } },
    { name: 'QUIC (UDP 443) refused for pupils only', run: async () => {
      const probe = (who: 'pupil' | 'staff') => lab.exec(who, ['kdig', '+short', '+time=1', '+retry=0', '-p', '443', `@${NET.web}`, 'web.test'], { timeoutMs: 6000 });
      t.match((await probe('pupil')).stdout + (await probe('pupil')).stderr, /refused|unreachable|failed|timeout/i);
      t.ok(await until(async () => (await nftList(lab, 'set', 'inet', 'schoolgate', setNames.seen4)).stdout.includes(`${'10.10.1.10'} . ${NET.web} . udp . 443`), 3000), 'recorded as an attempt');
    } },
  ];
  for (const c of cases) await t.test(c.name, c.run);

  await t.test('the attempts above became bypass-attempt events, one per client and endpoint', async (t) => {
    const kinds = () => events.filter((e) => e.client === '10.10.1.10').map((e) => e.kind);
    t.ok(await until(() => ['dot', 'foreign-dns', 'doh', 'quic'].every((k) => kinds().includes(k)), 5000), `events: ${JSON.stringify(events)}`);
    await dig(lab, 'pupil', [`@${NET.rogue}`, 'web.test']);
    await new Promise((r) => setTimeout(r, 2500));
    t.equal(kinds().filter((k) => k === 'foreign-dns').length, 1, 'a second query to the same resolver is not a second event');
  });
});

t.test('dynamic changes are set updates, not reloads', async (t) => {
  const { lab, fw } = await setup(t);
  const url = `https://${NET.doh}/dns-query?dns=AAABAAABAAAAAAAAA3dlYgR0ZXN0AAABAAE`;
  const handle = async () => /handle (\d+)/.exec((await lab.exec('app', ['nft', '-a', 'list', 'chain', 'inet', 'schoolgate', 'forward'])).stdout)?.[1];
  const before = await handle();
  t.equal((await connect(lab, 'pupil', url)).stdout, '200', 'before: the DoH endpoint is reachable');

  fw.ctx.events.emit('resolved', { name: 'doh.test', categories: ['doh'], addresses: [NET.doh, NET.doh6], ttl: 30, client: '10.10.2.10', group: 'staff' });
  t.ok(await until(async () => (await nftList(lab, 'set', 'inet', 'schoolgate', 'bypass4_doh')).stdout.includes(NET.doh), 3000), 'learned into the set');
  const set = (await nftList(lab, 'set', 'inet', 'schoolgate', 'bypass4_doh')).stdout;
  t.match(set, /203\.0\.113\.53 timeout 1h/, 'kept at least network.bypass.learnFor, not the 30 s TTL');
  t.match((await nftList(lab, 'set', 'inet', 'schoolgate', 'bypass6_doh')).stdout, /2001:db8:ffff::53/, 'IPv6 answer too');
  t.equal((await connect(lab, 'pupil', url)).stdout, '000', 'pupils: refused');
  t.equal((await connect(lab, 'staff', url)).stdout, '200', 'staff: open');
  t.equal((await connect(lab, 'pupil', `https://[${NET.doh6}]/dns-query`)).stdout, '000', 'pupils over IPv6: refused');

  const now = Date.now();
  const override: Override = {
    id: 'ov1', target: { category: 'doh' }, scope: { group: 'pupils' }, action: 'allow', reason: 'testing the DoH client',
    grantedBy: 'tech', createdAt: new Date(now).toISOString(), startsAt: new Date(now - 1000).toISOString(), expiresAt: new Date(now + 600_000).toISOString(),
  };
  fw.ctx.state.swap(withOverrides(fw.ctx.state.current, [override], now));
  fw.ctx.events.emit('overrides:changed');
  t.ok(await until(async () => (await connect(lab, 'pupil', url)).stdout === '200', 5000), 'a group override lifts the block');
  fw.ctx.state.swap(withOverrides(fw.ctx.state.current, [{ ...override, scope: { client: '10.10.1.11' } }], now));
  fw.ctx.events.emit('overrides:changed');
  t.ok(await until(async () => (await connect(lab, 'pupil', url)).stdout === '000', 5000), 'back to blocked for the group …');
  t.equal((await connect(lab, 'pupil2', url)).stdout, '200', '… but a client override exempts that one device');
  t.equal(await handle(), before, 'the table was never reloaded (same rule handles)');
});

t.test('a config change re-renders; a failing apply rolls back', async (t) => {
  // The real tc, except that it fails on the one command this test names.
  const fault: { on?: RegExp } = {};
  const failing = (lab: Lab): TcApplier => {
    const real = createTcCli({ netns: lab.ns.app });
    return {
      batch: (lines) => (lines.some((l) => fault.on?.test(l)) ? Promise.resolve({ ok: false, error: 'injected failure' }) : real.batch(lines)),
      show: (args) => real.show(args),
    };
  };
  const { lab, fw } = await setup(t, { tc: failing });
  const identity = async () => /gen=(\w+) epoch=(\d+)/.exec((await lab.exec('app', ['nft', '-t', 'list', 'table', 'inet', 'schoolgate'])).stdout)?.slice(1);
  const [gen1, epoch1] = (await identity()) ?? [];
  t.equal(epoch1, '1');

  const reload = async (patch: (c: ReturnType<Lab['config']>) => void) => {
    const raw = lab.config();
    patch(raw);
    fw.ctx.state.swap({ ...fw.ctx.state.current, config: configOf(raw as unknown as Record<string, unknown>) });
    fw.ctx.events.emit('config:reloaded');
  };
  await reload((c) => { c.groups[1].blockQuic = false; });
  t.ok(await until(async () => (await identity())?.[1] === '2', 5000), 'new epoch in force');
  const [gen2] = (await identity()) ?? [];
  t.not(gen2, gen1);

  fault.on = /rate 30000000bit/;
  await reload((c) => {
    c.groups[1].blockQuic = false;
    c.groups[1].bandwidth = { down: '30mbit', up: '10mbit', dailyQuota: '20MB', overQuota: '2mbit' };
  });
  await new Promise((r) => setTimeout(r, 1500));
  t.same(await identity(), [gen2, '2'], 'rolled back to the rules in force before');
  t.match((await lab.exec('app', ['tc', 'class', 'show', 'dev', 'br-lan'])).stdout, /5347:400 root[^\n]*rate 20Mbit/, 'and the old caps');
});

t.test('clean stop removes only our table and qdiscs', async (t) => {
  const { lab, fw } = await setup(t);
  await lab.must('app', ['nft', 'add', 'table', 'inet', 'someone_else']);
  await lab.must('app', ['tc', 'qdisc', 'add', 'dev', 'p-staff', 'root', 'handle', '1:', 'htb']);
  t.match((await lab.exec('app', ['tc', 'qdisc', 'show', 'dev', 'br-lan'])).stdout, /qdisc htb 5347: root/);
  t.match((await lab.exec('app', ['tc', 'qdisc', 'show', 'dev', 'wan'])).stdout, /qdisc htb 5347: root/);
  await fw.stop();
  const tables = (await lab.exec('app', ['nft', 'list', 'tables'])).stdout;
  t.notMatch(tables, /schoolgate/, 'our table is gone');
  t.match(tables, /someone_else/, 'another table stays');
  t.notMatch((await lab.exec('app', ['tc', 'qdisc', 'show'])).stdout, /5347:/, 'our qdiscs are gone');
  t.match((await lab.exec('app', ['tc', 'qdisc', 'show', 'dev', 'p-staff'])).stdout, /qdisc htb 1: root/, 'another qdisc stays');
});

t.test('flow blocks survive a full reload with the time they have left; expired ones do not come back', async (t) => {
  const { lab, fw } = await setup(t);
  const identity = async () => /epoch=(\d+)/.exec((await lab.exec('app', ['nft', '-t', 'list', 'table', 'inet', 'schoolgate'])).stdout)?.[1];
  const flowSet = async () => (await nftList(lab, 'set', 'inet', 'schoolgate', setNames.flowBlock4)).stdout;
  const web = `http://${NET.web}/`;
  t.equal((await connect(lab, 'pupil', web)).stdout, '200', 'before: the pupil reaches the web server');

  t.ok(await fw.stage.blockFlow('10.10.1.10', NET.web, 600), 'a 10-minute block');
  t.ok(await fw.stage.blockFlow('10.10.1.11', NET.web, 2), 'a 2-second block');
  t.ok(await fw.stage.blockFlow('fd00:10:0:1::10', NET.web6, 600), 'an IPv6 block');
  t.equal((await connect(lab, 'pupil', web)).stdout, '000', 'the blocked pupil is cut off');
  await new Promise((r) => setTimeout(r, 3000));

  const raw = lab.config();
  raw.groups[1].blockQuic = false;
  fw.ctx.state.swap({ ...fw.ctx.state.current, config: configOf(raw as unknown as Record<string, unknown>) });
  fw.ctx.events.emit('config:reloaded');
  t.ok(await until(async () => (await identity()) === '2', 5000), 'the table was rebuilt (new epoch)');

  const after = await flowSet();
  const m = new RegExp(`10\\.10\\.1\\.10 \\. ${NET.web.replaceAll('.', '\\.')} timeout (\\d+)m(\\d+)s`).exec(after);
  t.ok(m, `the 10-minute block is still there: ${after}`);
  const seconds = m ? Number(m[1]) * 60 + Number(m[2]) : 0;
  t.ok(seconds > 580 && seconds < 600, `with a smaller timeout (${seconds} s)`);
  t.notMatch(after, /10\.10\.1\.11/, 'the expired block was not added again');
  t.match((await nftList(lab, 'set', 'inet', 'schoolgate', setNames.flowBlock6)).stdout, /fd00:10:0:1::10 \. 2001:db8/, 'the IPv6 block too');
  t.equal((await connect(lab, 'pupil', web)).stdout, '000', 'after the reload the pupil is still cut off');
  t.equal((await connect(lab, 'pupil2', web)).stdout, '200', 'and the one whose block expired gets through');
});

t.test('a flow block that lands while the table is being rebuilt is added again', async (t) => {
  // The real nft, except that a full ruleset waits a moment: long enough for a block to land in
  // the table that is about to be replaced (after the stage read the blocks back).
  const gate: { hold?: () => void } = {};
  const slow = (lab: Lab): NftApplier => {
    const real = createNftCli({ netns: lab.ns.app });
    return {
      ...real,
      run: async (script) => {
        if (gate.hold && script.includes('delete table inet schoolgate')) {
          gate.hold();
          await new Promise((r) => setTimeout(r, 500));
        }
        return real.run(script);
      },
    };
  };
  const { lab, fw } = await setup(t, { nft: slow });
  const flowSet = async () => (await nftList(lab, 'set', 'inet', 'schoolgate', setNames.flowBlock4)).stdout;
  const epoch = async () => /epoch=(\d+)/.exec((await lab.exec('app', ['nft', '-t', 'list', 'table', 'inet', 'schoolgate'])).stdout)?.[1];
  const applying = new Promise<void>((r) => { gate.hold = r; });
  const raw = lab.config();
  raw.groups[1].blockQuic = false;
  fw.ctx.state.swap({ ...fw.ctx.state.current, config: configOf(raw as unknown as Record<string, unknown>) });
  fw.ctx.events.emit('config:reloaded');
  await applying;
  gate.hold = undefined;
  t.ok(await fw.stage.blockFlow('10.10.1.11', NET.web, 600), 'a block while the new table is on its way');
  t.match(await flowSet(), '10.10.1.11', 'it went into the old table');
  t.ok(await until(async () => (await epoch()) === '2', 5000), 'the new table is in force');
  t.ok(await until(async () => (await flowSet()).includes(`10.10.1.11 . ${NET.web}`), 3000), 'and the block is in it too');
  t.equal((await connect(lab, 'pupil2', `http://${NET.web}/`)).stdout, '000', 'the device is cut off');
});
