// The traffic view with the real daemon in the namespace lab: a device downloads a known number
// of bytes over TLS from a server it reaches without DNS; GET /api/v1/traffic/flows shows that
// flow (server name, group, action) with its bytes from the kernel's conntrack accounting, and
// /traffic/top counts them for the device. A pupil blocked by server name stays blocked when a
// config change from the admin API rebuilds the nftables table. Real tcpdump, nft, conntrack.
import t from 'tap';
import { join } from 'node:path';
import { createLab } from '../lab/lab.js';
import { run, until } from '../lab/exec.js';
import { CLI } from '../helpers/daemon.js';
import { startTrafficDaemon } from './traffic-lab.js';

/** a server of the lab internet (TEST-NET-3) that sends n bytes for GET /n */
const BULK = '203.0.113.71';
const NAME = 'bulk.example';
const BLOCKED = 'blocked.example';
const SIZE = 2_000_000;

t.test('a flow with its server name and its bytes from conntrack', async (t) => {
  const lab = await createLab();
  t.teardown(() => lab.destroy());
  await lab.must('inet', ['ip', 'addr', 'add', `${BULK}/32`, 'dev', 'lo']);
  const bulk = lab.spawn('inet', 'bulk-web', [process.execPath, '--import', 'tsx', new URL('./bulk-web-server.ts', import.meta.url).pathname, lab.cert, join(lab.dir, 'lab-key.pem'), BULK]);
  await bulk.waitFor(/bulk web server listening/, 20_000);
  const { configPath, daemon } = await startTrafficDaemon(lab, BLOCKED, 'view.yaml');

  const token = await run([process.execPath, '--import', 'tsx', CLI, 'token', 'add', 'view-test', '--role', 'technician', '--config', configPath]);
  t.equal(token.code, 0, token.stderr);
  const bearer = token.stdout.trim().split('\n').pop() ?? '';
  const api = async <T>(path: string, put?: unknown): Promise<T | undefined> => {
    const body = put === undefined ? [] : ['-X', 'PUT', '-H', 'content-type: application/json', '--data-binary', JSON.stringify(put)];
    const r = await lab.exec('app', ['curl', '-s', '-m', '5', ...body, '-H', `authorization: Bearer ${bearer}`, `http://10.10.0.1:443/api/v1${path}`]);
    try {
      return JSON.parse(r.stdout) as T;
    } catch {
      return undefined;
    }
  };
  type Flows = { items: { client: string; group: string; server: string; proto: string; action: string; reason: string; dst: string; bytes?: number }[]; counters: { available: boolean; note?: string } };

  const got = await lab.exec('staff', ['curl', '-sk', '-m', '10', '-o', '/dev/null', '-w', '%{size_download}', '--resolve', `${NAME}:443:${BULK}`, `https://${NAME}/${SIZE}`], { timeoutMs: 15_000 });
  t.equal(got.stdout, String(SIZE), `the staff device downloaded ${SIZE} bytes`);

  let flows: Flows | undefined;
  const counted = await until(async () => {
    flows = await api<Flows>('/traffic/flows?device=10.10.2.10');
    return (flows?.items.find((f) => f.server === NAME)?.bytes ?? 0) >= SIZE;
  }, 15_000, 500);
  t.same(flows?.counters, { available: true }, `bytes are counted: ${JSON.stringify(flows?.counters)}`);
  const flow = flows?.items.find((f) => f.server === NAME);
  t.ok(counted, `the flow's bytes arrived within a few polls: ${JSON.stringify(flow)}`);
  t.match(flow, { client: '10.10.2.10', group: 'staff', proto: 'tls', action: 'allow', dst: BULK });
  const bytes = flow?.bytes ?? 0;
  // both directions: the payload, TLS records, TCP/IP headers; not a wildly different figure
  t.ok(bytes >= SIZE && bytes < SIZE * 1.2, `${bytes} bytes counted for ${SIZE} bytes of payload`);

  const top = await api<{ items: { client: string; flows: number; bytes?: number }[] }>('/traffic/top');
  t.match(top?.items.find((i) => i.client === '10.10.2.10'), { flows: Number }, 'the device is a top talker');
  t.ok((top?.items.find((i) => i.client === '10.10.2.10')?.bytes ?? 0) >= SIZE, 'with its bytes');
  t.equal((await api<Flows>('/traffic/flows?device=10.10.1.10'))?.items.length, 0, 'another device: no flows');
  t.match(await api('/traffic/flows?device=not-an-ip'), { ok: false, code: 'SG_BAD_INPUT' });

  await t.test('a pupil blocked by server name stays blocked across a config change that rebuilds the table', async (t) => {
    const flowSet = async () => (await lab.exec('app', ['nft', 'list', 'set', 'inet', 'schoolgate', 'flowblock4'])).stdout;
    const epoch = async () => /epoch=(\d+)/.exec((await lab.exec('app', ['nft', '-t', 'list', 'table', 'inet', 'schoolgate'])).stdout)?.[1];
    const pupilGets = async () => (await lab.exec('pupil', ['curl', '-sk', '-m', '3', '-o', '/dev/null', '-w', '%{http_code}', '--resolve', `${NAME}:443:${BULK}`, `https://${NAME}/10`], { timeoutMs: 8000 })).stdout;
    await lab.exec('pupil', ['curl', '-sk', '-m', '3', '--resolve', `${BLOCKED}:443:${BULK}`, `https://${BLOCKED}/10`], { timeoutMs: 8000 });
    t.ok(await until(async () => (await flowSet()).includes(`10.10.1.10 . ${BULK}`), 5000), 'the pupil → server pair is blocked');
    t.equal(await pupilGets(), '000', 'so the pupil cannot reach that server under another name either');
    const before = await epoch();

    const groups = await api<{ items: { name: string; blockQuic?: boolean }[] }>('/groups');
    const pupils = groups?.items.find((g) => g.name === 'pupils');
    t.ok(pupils, 'the pupils group, from the API');
    const applied = await api<{ ok: boolean }>('/groups/pupils?reason=traffic%20view%20test', { ...pupils, blockQuic: !pupils?.blockQuic });
    t.match(applied, { ok: true }, `the change is applied: ${JSON.stringify(applied)}`);
    t.ok(await until(async () => (await epoch()) !== before, 8000), 'the table was rebuilt (new epoch)');
    t.match(await flowSet(), new RegExp(`10\\.10\\.1\\.10 \\. ${BULK.replaceAll('.', '\\.')} timeout 1m\\d+s`), 'the block is still there, with the time it has left');
    t.equal(await pupilGets(), '000', 'and the pupil is still cut off');
    t.match(await daemon.waitForLog((l) => l.msg === 'flow blocks carried into the new rules', 5000), { kept: 1 }, 'the daemon says so');
  });
});
