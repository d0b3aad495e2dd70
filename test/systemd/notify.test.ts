// sd_notify through systemd-notify, received by a real AF_UNIX datagram socket.
import t from 'tap';
import { createNotifier, field, notifyEnv } from '../../src/systemd/index.js';
import { tempDir } from '../helpers/daemon.js';
import { startNotifyReceiver } from './peers.js';

t.test('environment: socket and watchdog period as sd_watchdog_enabled reads them', async (t) => {
  const cases = [
    { name: 'not under systemd', env: {}, want: { socket: undefined, watchdogUsec: undefined } },
    { name: 'notify, no watchdog', env: { NOTIFY_SOCKET: '/run/systemd/notify' }, want: { socket: '/run/systemd/notify', watchdogUsec: undefined } },
    { name: 'watchdog for us', env: { NOTIFY_SOCKET: '@x', WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, want: { socket: '@x', watchdogUsec: 30_000_000 } },
    { name: 'watchdog meant for another pid', env: { NOTIFY_SOCKET: '@x', WATCHDOG_USEC: '30000000', WATCHDOG_PID: '7' }, want: { socket: '@x', watchdogUsec: undefined } },
    { name: 'garbage period', env: { NOTIFY_SOCKET: '@x', WATCHDOG_USEC: 'soon' }, want: { socket: '@x', watchdogUsec: undefined } },
  ];
  for (const c of cases) t.same(notifyEnv(c.env, 42), c.want, c.name);
});

t.test('fields are single lines', async (t) => {
  t.equal(field('STATUS', 'a\nb\r\nc'), 'STATUS=a b c');
});

t.test('systemd-notify delivers READY, MAINPID and STATUS to the socket, then returns', async (t) => {
  const dir = tempDir();
  t.teardown(dir.cleanup);
  const rx = await startNotifyReceiver(dir.dir);
  t.teardown(() => rx.close());
  const n = createNotifier({ socket: rx.path, watchdogUsec: undefined }, 4242);
  t.ok(n.enabled);
  const r = await n.send(['READY=1', field('STATUS', 'ready: DNS on 10.10.0.1:53')]);
  t.same(r, { ok: true });
  const m = await rx.waitFor('READY', 2000);
  t.same(m.fields, { MAINPID: '4242', READY: '1', STATUS: 'ready: DNS on 10.10.0.1:53' });
  // systemd-notify waited for the barrier (sd_notify_barrier): it was delivered before send() resolved.
  t.ok(rx.messages.some((x) => x.fields.BARRIER === '1'), 'BARRIER=1 followed');
});

t.test('no socket listening: an error value, not a throw or a hang', async (t) => {
  const dir = tempDir();
  t.teardown(dir.cleanup);
  const r = await createNotifier({ socket: `${dir.dir}/nobody.sock`, watchdogUsec: undefined }, 1).send(['READY=1']);
  t.notOk(r.ok);
});

t.test('systemd-notify missing: says so', async (t) => {
  const r = await createNotifier({ socket: '/run/x', watchdogUsec: undefined }, 1, 'no-such-systemd-notify').send(['READY=1']);
  t.notOk(r.ok);
  if (!r.ok) t.match(r.message, /not found/);
});

t.test('outside systemd nothing is sent', async (t) => {
  const n = createNotifier({ socket: undefined, watchdogUsec: undefined }, 1, 'no-such-systemd-notify');
  t.notOk(n.enabled);
  t.same(await n.send(['READY=1']), { ok: true });
});
