// New incidents go out at once: a webhook POST and an e-mail through an SMTP relay (Python's
// smtpd debugging server stands in for the school's relay).
import t from 'tap';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNotifier } from '../../src/incidents/index.js';
import type { Incident } from '../../src/incidents/index.js';
import { silentLogger } from '../../src/log.js';
import { freePort } from '../helpers/rsyslog.js';

const incident: Incident = {
  id: 'abc-1', type: 'locked', client: '10.10.1.5', group: 'pupils', category: 'illegal', domains: ['csam.example'],
  count: 1, firstAt: '2026-11-24T10:00:00.000Z', lastAt: '2026-11-24T10:00:00.000Z', status: 'open', user: 'Sam Jones',
};

t.test('webhook and e-mail for a new incident; none for a repeat', async (t) => {
  const posts: string[] = [];
  const web = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { posts.push(body); res.end('ok'); });
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => web.close(() => r())));
  const smtpPort = await freePort();
  const smtp = spawn('python3', ['-W', 'ignore', '-u', '-m', 'smtpd', '-n', '-c', 'DebuggingServer', `127.0.0.1:${smtpPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => smtp.kill());
  let mail = '';
  smtp.stdout.on('data', (c: Buffer) => { mail += c.toString(); });
  await new Promise((r) => setTimeout(r, 800));

  const notify = createNotifier(() => ({
    webhook: `http://127.0.0.1:${(web.address() as AddressInfo).port}/hook`,
    email: { smtp: `127.0.0.1:${smtpPort}`, from: 'schoolgate@school.example', to: ['dsl@school.example'] },
  }), silentLogger());
  notify(incident, true);
  notify({ ...incident, count: 2 }, false);
  const t0 = Date.now();
  while ((posts.length < 1 || !mail.includes('Acknowledge')) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 100));
  t.equal(posts.length, 1, 'one POST: repeats are not re-sent');
  t.match(JSON.parse(posts[0]), { source: 'schoolgate', incident: { id: 'abc-1', type: 'locked' } });
  t.match(mail, /Subject: \[schoolgate\] incident: an attempt on a locked category/);
  t.match(mail, /User: Sam Jones/);
  t.match(mail, /To: dsl@school\.example/);
});
