// A real rsyslogd on loopback (UDP, TCP and TLS inputs) writing what it receives, one message a
// line in RFC 5424 form, to a file the test reads.
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Rsyslog {
  udp: number;
  tcp: number;
  tls: number;
  ca: string;
  lines(): string[];
  stop(): Promise<void>;
}

export async function startRsyslog(dir: string): Promise<Rsyslog> {
  const [udp, tcp, tls] = [await freePort(), await freePort(), await freePort()];
  const out = join(dir, 'received.log');
  const ca = join(dir, 'ca.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', ca, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  const conf = join(dir, 'rsyslog.conf');
  writeFileSync(conf, `
global(workDirectory="${dir}" DefaultNetstreamDriverCAFile="${ca}" DefaultNetstreamDriverCertFile="${ca}" DefaultNetstreamDriverKeyFile="${key}")
module(load="imudp")
module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")
input(type="imudp" address="127.0.0.1" port="${udp}")
input(type="imtcp" address="127.0.0.1" port="${tcp}" StreamDriver.Name="ptcp" StreamDriver.Mode="0")
input(type="imtcp" address="127.0.0.1" port="${tls}")
template(name="proto" type="string" string="%syslogfacility%|%syslogseverity%|%timereported:::date-rfc3339%|%app-name%|%msgid%|%structured-data%|%msg%\\n")
*.* action(type="omfile" file="${out}" template="proto")
`);
  const proc: ChildProcess = spawn('rsyslogd', ['-n', '-f', conf, '-i', join(dir, 'rsyslog.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => { err += c.toString(); });
  // rsyslog has no readiness signal: wait until the TCP port accepts.
  const t0 = Date.now();
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true));
      s.listen(tcp, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (up) break;
    if (Date.now() - t0 > 10_000 || proc.exitCode !== null) throw new Error(`rsyslogd did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    udp, tcp, tls, ca,
    lines: () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : []),
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('close', r));
    },
  };
}
