// admin.tls auto: a self-signed certificate made on first start, kept (key 0600) and reused;
// made again when the admin address changes. {cert, key}: the school's own files.
import t from 'tap';
import { X509Certificate } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminTls, tlsPaths } from '../../src/api/index.js';
import type { AdminConfig } from '../../src/api/index.js';
import { tempDir } from '../helpers/daemon.js';

const admin = (listen: string[], tls: AdminConfig['tls'] = 'auto'): AdminConfig => ({ listen, tls, session: { idle: '8h', max: '24h' }, selfTest: { domains: {} } });

t.test('auto: generated once, reused, remade for a new address', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const first = await adminTls(admin(['10.10.0.1:443', '[fd00:10::1]:443']), d.dir);
  if (!first.ok || !first.tls) throw new Error('no certificate');
  t.equal(first.tls.source, 'generated');
  const x = new X509Certificate(first.tls.cert);
  t.match(x.subjectAltName, /IP Address:10\.10\.0\.1/);
  t.match(x.subjectAltName, /IP Address:FD00:10:0:0:0:0:0:1/i);
  t.match(x.subjectAltName, /DNS:localhost/);
  t.ok(Date.parse(x.validTo) - Date.now() > 700 * 86_400_000, 'valid for about two years');
  t.equal(statSync(tlsPaths(d.dir).key).mode & 0o777, 0o600, 'the key is readable by the daemon only');
  t.ok(x.checkPrivateKey((await import('node:crypto')).createPrivateKey(first.tls.key)), 'the key matches');

  const again = await adminTls(admin(['10.10.0.1:443', '[fd00:10::1]:443']), d.dir);
  t.equal(again.ok && again.tls?.source, 'reused');
  t.equal(again.ok && again.tls?.fingerprint, first.tls.fingerprint, 'the same certificate on every start');
  const moved = await adminTls(admin(['10.20.0.1:443']), d.dir);
  t.equal(moved.ok && moved.tls?.source, 'generated', 'a new admin address: a new certificate');
  const later = await adminTls(admin(['10.20.0.1:443']), d.dir, Date.now() + 820 * 86_400_000);
  t.equal(later.ok && later.tls?.source, 'generated', 'near expiry: renewed');
});

t.test('the school\'s own certificate, off, and a clear error for unreadable files', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const made = await adminTls(admin(['10.10.0.1:443']), d.dir);
  if (!made.ok || !made.tls) throw new Error('no certificate');
  const cert = join(d.dir, 'school.crt');
  const key = join(d.dir, 'school.key');
  writeFileSync(cert, made.tls.cert);
  writeFileSync(key, made.tls.key);
  const own = await adminTls(admin(['10.10.0.1:443'], { cert, key }), d.dir);
  t.equal(own.ok && own.tls?.source, 'configured');
  t.same(await adminTls(admin(['127.0.0.1:8080'], 'off'), d.dir), { ok: true, tls: undefined });
  const missing = await adminTls(admin(['10.10.0.1:443'], { cert: join(d.dir, 'nope.crt'), key }), d.dir);
  t.match(missing, { ok: false, error: /admin\.tls: cannot read the certificate or key/ });
});
