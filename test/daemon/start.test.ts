import t from 'tap';
import { startDaemon, tempDir, REPO } from '../helpers/daemon.js';

t.test('the daemon starts on a config, reports ready with its index, and stops on SIGTERM', async (t) => {
  const data = tempDir();
  t.teardown(data.cleanup);
  const daemon = await startDaemon({
    config: `
mode: dns-only
dataDir: ${data.dir}
dns: { listen: ["127.0.0.1:0"], upstreams: ["127.0.0.1:9"], blocking: { answer: nxdomain } }
lists:
  - { name: ut1, format: ut1, source: ${REPO}/firmware/lists/ut1-sample/blacklists }
groups:
  - { name: everyone, default: true, block: [gambling] }
admin: { listen: ["127.0.0.1:0"], tls: "off" }
`,
  });
  t.teardown(() => daemon.stop('SIGKILL'));
  const ready = daemon.logs.find((l) => l.msg === 'ready');
  t.ok(ready, 'ready line logged');
  t.ok((ready?.domains as number) > 30000, 'sample lists compiled and loaded');
  t.equal(await daemon.stop('SIGTERM'), 0, 'clean exit on SIGTERM');
  t.ok(daemon.logs.some((l) => l.msg === 'stopped'));
});
