// The real daemon (`schoolgate run`) with a DNS config around a test upstream: lists written to a
// temp folder, four groups told apart by their loopback source address.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startDaemon, tempDir, CLI } from '../helpers/daemon.js';
import type { RunningDaemon } from '../helpers/daemon.js';
import { freePort } from './dns-client.js';

export const CLIENTS = { pupil: '127.0.0.10', moderate: '127.0.0.11', staff: '127.0.0.20', guest: '127.0.0.30' } as const;

export interface DnsDaemon {
  daemon: RunningDaemon;
  port: number;
  dir: string;
  configFile: string;
  /** runs a CLI verb against this daemon (through its control socket) */
  cli(args: string[]): { code: number; out: string };
  stop(): Promise<void>;
}

export interface FixtureOptions {
  upstreams: string[];
  answer?: 'blockpage' | 'nxdomain' | 'null';
  /** extra YAML lines under dns: */
  dns?: string;
}

export async function startDnsDaemon(o: FixtureOptions): Promise<DnsDaemon> {
  const tmp = tempDir('sg-dns-');
  const lists = { adult: ['blocked.test'], games: ['games.test'], doh: ['doh.test'], illegal: ['illegal.test'] };
  for (const [cat, names] of Object.entries(lists)) writeFileSync(join(tmp.dir, `${cat}.txt`), `${names.join('\n')}\n`);
  // A dnsmasq lease: the device directory knows 10.10.9.9 as laptop-7 (local PTR answers).
  writeFileSync(join(tmp.dir, 'leases'), '1999999999 aa:bb:cc:dd:ee:07 10.10.9.9 laptop-7 *\n');
  const port = await freePort();
  const yaml = `mode: dns-only
dataDir: ${join(tmp.dir, 'data')}
log: { level: info }
dns:
  listen: ["127.0.0.1:${port}"]
  upstreams: [${o.upstreams.map((u) => `"${u}"`).join(', ')}]
  timeout: 1s
  blocking: { answer: "${o.answer ?? 'blockpage'}", address: 192.0.2.1, address6: "2001:db8::1", ttl: 10 }
${(o.dns ?? '').split('\n').filter(Boolean).map((l) => `  ${l}`).join('\n')}
lists:
${Object.keys(lists).map((c) => `  - { name: ${c}, format: domains, category: ${c}, source: ${join(tmp.dir, `${c}.txt`)} }`).join('\n')}
locked: [illegal]
groups:
  - { name: pupils, match: { subnets: ["${CLIENTS.pupil}/32"] }, block: [adult, games, doh], safeSearch: strict }
  - { name: moderate, match: { subnets: ["${CLIENTS.moderate}/32"] }, block: [adult], safeSearch: moderate }
  - { name: staff, match: { subnets: ["${CLIENTS.staff}/32"] }, block: [] }
  - { name: guests, default: true, block: [adult] }
identity: { neighbours: false, leases: ${join(tmp.dir, 'leases')} }
# The block page address (TEST-NET) is not on this machine: serve the page on loopback instead.
admin: { listen: ["127.0.0.1:0"], tls: "off", blockPage: ["127.0.0.1:0"] }
`;
  const configFile = join(tmp.dir, 'schoolgate.yaml');
  writeFileSync(configFile, yaml);
  // The service's V8 limits (systemd/schoolgate.service): memory figures in these tests are the
  // product's, not those of an uncapped heap that V8 lets fill with garbage.
  const daemon = await startDaemon({ config: yaml, nodeFlags: ['--max-semi-space-size=1', '--max-old-space-size=128', '--optimize-for-size'] });
  return {
    daemon, port, dir: tmp.dir, configFile,
    cli: (args) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args, '--config', configFile], { encoding: 'utf8', timeout: 30_000 });
      return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
    },
    stop: async () => {
      await daemon.stop('SIGTERM');
      tmp.cleanup();
    },
  };
}
