// Incidents, audit entries and query events reach a real rsyslog over UDP, TCP and TLS as
// well-formed RFC 5424 (rsyslog parses the header and structured data itself).
import t from 'tap';
import { SyslogSender, formatRfc5424 } from '../../src/syslog/index.js';
import { startRsyslog } from '../helpers/rsyslog.js';
import { tempDir } from '../helpers/daemon.js';

const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|(\[[^\]]*\])+) (.*)$/;

t.test('formatting', async (t) => {
  const line = formatRfc5424({ facility: 16, severity: 4, time: '2026-11-24T10:00:00.000Z', msgid: 'incident', structured: { 'schoolgate@32473': { client: '10.0.0.5', note: 'quote " and ] and \\' } }, text: 'two\nlines' });
  const m = RFC5424.exec(line);
  t.ok(m, line);
  t.equal(m?.[1], '132');
  t.match(line, /note="quote \\" and \\] and \\\\"/, 'SD values escaped');
  t.notMatch(line, /\n/);
});

for (const transport of ['udp', 'tcp', 'tls'] as const) {
  t.test(`rsyslog receives what we send over ${transport}`, async (t) => {
    const d = tempDir();
    t.teardown(d.cleanup);
    const rs = await startRsyslog(d.dir);
    t.teardown(() => rs.stop());
    const sender = new SyslogSender({ host: '127.0.0.1', port: rs[transport], transport, ca: rs.ca, serverName: 'localhost' });
    t.teardown(() => sender.stop());
    for (let i = 0; i < 20; i++) {
      sender.send({ facility: 16, severity: 4, time: new Date(Date.UTC(2026, 10, 24, 10, 0, i)).toISOString(), msgid: 'incident', structured: { 'schoolgate@32473': { seq: String(i), client: '10.10.1.5' } }, text: `incident locked ${i}` });
    }
    const t0 = Date.now();
    while (rs.lines().length < 20 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 100));
    const lines = rs.lines();
    t.equal(lines.length, 20, 'all messages arrived');
    const [facility, severity, time, app, msgid, sd, msg] = lines[3].split('|');
    t.same([facility, severity, app, msgid], ['16', '4', 'schoolgate', 'incident'], 'local0, warning');
    t.match(time, /^2026-11-24T10:00:03/);
    t.equal(sd, '[schoolgate@32473 seq="3" client="10.10.1.5"]');
    t.equal(msg.trim(), 'incident locked 3');
  });
}

t.test('a collector that is away: bounded queue, delivery once it is back', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const { freePort } = await import('../helpers/rsyslog.js');
  const port = await freePort();
  const sender = new SyslogSender({ host: '127.0.0.1', port, transport: 'tcp', maxQueue: 5 });
  t.teardown(() => sender.stop());
  for (let i = 0; i < 12; i++) sender.send({ facility: 16, severity: 6, time: new Date().toISOString(), msgid: 'audit', text: `m${i}` });
  t.equal(sender.dropped, 7, 'oldest dropped and counted');
});
