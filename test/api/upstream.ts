// A real upstream resolver for the daemon tests: dnsmasq on a loopback port, answering a few
// test names itself (never forwarding anywhere: --no-resolv, no servers).
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';

export interface Upstream { port: number; stop(): Promise<void> }

/** A UDP port free on 127.0.0.1 now (the kernel picks; we close and hand it on). */
export async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export async function startUpstream(answers: Record<string, string>): Promise<Upstream> {
  const port = await freePort();
  const args = ['-k', '--conf-file=/dev/null', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts', '--pid-file=', '--cache-size=0',
    ...Object.entries(answers).map(([name, ip]) => `--address=/${name}/${ip}`)];
  const proc = spawn('dnsmasq', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  // dnsmasq binds before it forks nothing (-k): give it a moment, fail loudly if it exits.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, 400);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dnsmasq exited (${code}): ${err}`));
    });
  });
  return {
    port,
    stop: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    }),
  };
}
