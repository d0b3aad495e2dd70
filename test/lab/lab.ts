/**
 * The network-namespace lab: a school LAN, the schoolgate appliance and a fake internet, built
 * from real kernel parts (namespaces, veths, a bridge) and real servers, on TEST-NET addresses.
 *
 *   pupil ─┐                                  ┌─ upstream resolver  198.51.100.1   (unbound)
 *  pupil2 ─┤ eth0      p-*  ┌───────────────┐ │  rogue resolver     198.51.100.53  (unbound: 53, DoT 853)
 *   staff ─┼───────────────▶│ br-lan   wan  │─┼─ DoH endpoints      203.0.113.53 (doh.test), .54 (by IP)
 *   guest ─┘   10.10.0.0/16 │   appliance   │ │  web server         203.0.113.10   (HTTP 80, HTTPS 443)
 *              fd00:10::/48 │ 10.10.0.1     │ │  iperf3 servers     203.0.113.20:5201-5204
 *                           └───────────────┘ └─ inet ns, WAN link 192.0.2.0/24, 2001:db8:0:1::/64
 *
 * Clients: pupil 10.10.1.10, pupil2 10.10.1.11, staff 10.10.2.10, guest 10.10.3.10 (IPv6
 * fd00:10:0:<n>::10, ::11); the default route and DNS (/etc/netns/NS/resolv.conf) point at the
 * appliance, 10.10.0.1. The appliance has ip forwarding on, bridge netfilter off, and nothing
 * else: schoolgate in gateway mode programs the rest.
 *
 * Use from a test:
 *   import { createLab } from '../lab/lab.js';
 *   const lab = await createLab();                 // ~1-2 s; unique names per run
 *   t.teardown(() => lab.destroy());               // always: namespaces, processes, files
 *   const daemon = await lab.startDaemon();        // the real daemon in the appliance ns (lab config)
 *   const r = await lab.exec('pupil', ['dig', '+short', '@198.51.100.53', 'web.test']);
 *   lab.log('rogue');                              // the rogue resolver's query log
 * A different config: `lab.startDaemon({ patch: (c) => { c.groups[1].blockQuic = false; } })`,
 * or any YAML text as `{ yaml }`. `lab.config()` gives the lab config as an object.
 *
 * By hand: `npm run lab` (test/lab/cli.ts) builds it, prints how to enter each namespace and
 * tears it down on Ctrl-C. Leftovers of a killed run are swept by the next createLab().
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from '../helpers/daemon.js';
import type { RunningDaemon } from '../helpers/daemon.js';
import { background, must, run } from './exec.js';
import type { Background, ExecOptions, ExecResult } from './exec.js';
import { NET, SERVICE_ADDRESSES, SERVICE_ADDRESSES6, certCommand, writeRogueConfig, writeUpstreamConfig } from './internet.js';
import { labConfig, toYaml } from './lab-config.js';
import type { LabConfig } from './lab-config.js';

export { NET, NAMES, ROGUE_ANSWER } from './internet.js';
export type { LabConfig } from './lab-config.js';

export const CLIENTS = {
  pupil: { ip: '10.10.1.10', ip6: 'fd00:10:0:1::10', group: 'pupils' },
  pupil2: { ip: '10.10.1.11', ip6: 'fd00:10:0:1::11', group: 'pupils' },
  staff: { ip: '10.10.2.10', ip6: 'fd00:10:0:2::10', group: 'staff' },
  guest: { ip: '10.10.3.10', ip6: 'fd00:10:0:3::10', group: 'guests' },
} as const;
export type ClientName = keyof typeof CLIENTS;
export type Place = ClientName | 'app' | 'inet';

export const APPLIANCE = { lan: 'br-lan', wan: 'wan', ip: '10.10.0.1', ip6: 'fd00:10::1', lanPrefix: 16, lanPrefix6: 48 } as const;

export interface Lab {
  readonly id: string;
  /** temp folder: configs, logs, certificate, lists, the daemon's dataDir */
  readonly dir: string;
  /** namespace names, per place */
  readonly ns: Readonly<Record<Place, string>>;
  /** the self-signed certificate of every lab TLS server (curl --cacert, kdig +tls-ca) */
  readonly cert: string;
  /** runs argv inside a namespace (bounded; never rejects) */
  exec(place: Place, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** like exec, but a non-zero exit throws */
  must(place: Place, argv: readonly string[], opts?: ExecOptions): Promise<string>;
  /** a long-running process inside a namespace, ended on destroy() */
  spawn(place: Place, name: string, argv: readonly string[]): Background;
  /** the lab's daemon config as an object (edit it, then pass it to startDaemon) */
  config(): LabConfig;
  /** starts the real daemon in the appliance namespace; stopped on destroy() */
  startDaemon(opts?: { config?: LabConfig; patch?: (c: LabConfig) => void; yaml?: string; readyTimeoutMs?: number }): Promise<RunningDaemon>;
  /** a fake-internet server's log: 'rogue' and 'upstream' log every query */
  log(name: 'rogue' | 'upstream'): string;
  /** how to use the namespaces by hand */
  instructions(): string;
  destroy(): Promise<void>;
}

export interface LabOptions {
  /** start the fake internet's servers (default true) */
  services?: boolean;
}

const PREFIX = 'sgl';
let labCounter = 0;

export async function createLab(opts: LabOptions = {}): Promise<Lab> {
  sweepStaleLabs();
  const id = `${PREFIX}${process.pid}-${++labCounter}`;
  const ns = {
    app: `${id}-app`, inet: `${id}-inet`,
    pupil: `${id}-pupil`, pupil2: `${id}-pupil2`, staff: `${id}-staff`, guest: `${id}-guest`,
  } satisfies Record<Place, string>;
  const dir = mkdtempSync(join(tmpdir(), `${id}-`));
  const procs: Background[] = [];
  const daemons: RunningDaemon[] = [];
  let destroyed = false;

  const syncCleanup = () => cleanupSync(Object.values(ns), procs, daemons, dir);
  process.once('exit', syncCleanup);

  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    process.removeListener('exit', syncCleanup);
    await Promise.all(daemons.map((d) => d.stop('SIGKILL').catch(() => undefined)));
    await Promise.all(procs.map((p) => p.stop()));
    cleanupSync(Object.values(ns), procs, daemons, dir);
  };

  const nsExec = (place: Place, argv: readonly string[]) => ['ip', 'netns', 'exec', ns[place], ...argv];
  const cert = certCommand(dir);
  try {
    await buildTopology(ns);
    for (const c of Object.keys(CLIENTS) as ClientName[]) {
      mkdirSync(`/etc/netns/${ns[c]}`, { recursive: true });
      writeFileSync(`/etc/netns/${ns[c]}/resolv.conf`, `nameserver ${APPLIANCE.ip}\n`);
    }
    await must(cert.argv);
    if (opts.services !== false) await startServices(dir, cert, (name, argv) => {
      const p = background(name, nsExec('inet', argv));
      procs.push(p);
      return p;
    });
  } catch (err) {
    await destroy();
    throw err;
  }

  const lab: Lab = {
    id,
    dir,
    ns,
    cert: cert.pem,
    exec: (place, argv, o) => run(nsExec(place, argv), o),
    must: (place, argv, o) => must(nsExec(place, argv), o),
    spawn(place, name, argv) {
      const p = background(name, nsExec(place, argv));
      procs.push(p);
      return p;
    },
    config: () => labConfig(dir),
    async startDaemon(o = {}) {
      const config = o.config ?? labConfig(dir);
      o.patch?.(config);
      const d = await startDaemon({ config: o.yaml ?? toYaml(config), netns: ns.app, readyTimeoutMs: o.readyTimeoutMs });
      daemons.push(d);
      return d;
    },
    log: (name) => {
      const path = join(dir, `${name}.log`);
      return existsSync(path) ? readFileSync(path, 'utf8') : '';
    },
    instructions: () => instructions(ns, dir, cert.pem),
    destroy,
  };
  return lab;
}

async function buildTopology(ns: Record<Place, string>): Promise<void> {
  for (const name of Object.values(ns)) await must(['ip', 'netns', 'add', name]);
  const ip = (place: Place, ...args: string[]) => must(['ip', '-n', ns[place], ...args]);
  const sysctl = (place: Place, key: string, value: string) => must(['ip', 'netns', 'exec', ns[place], 'sysctl', '-qw', `${key}=${value}`]);
  for (const place of Object.keys(ns) as Place[]) await ip(place, 'link', 'set', 'lo', 'up');

  // WAN link: appliance "wan" ⇄ internet "wan0".
  await ip('app', 'link', 'add', APPLIANCE.wan, 'type', 'veth', 'peer', 'name', 'wan0', 'netns', ns.inet);
  await ip('app', 'addr', 'add', `${NET.wanAppliance}/${NET.wanPrefix}`, 'dev', APPLIANCE.wan);
  await ip('app', 'addr', 'add', `${NET.wanAppliance6}/${NET.wanPrefix6}`, 'dev', APPLIANCE.wan, 'nodad');
  await ip('app', 'link', 'set', APPLIANCE.wan, 'up');
  await ip('inet', 'addr', 'add', `${NET.wanGateway}/${NET.wanPrefix}`, 'dev', 'wan0');
  await ip('inet', 'addr', 'add', `${NET.wanGateway6}/${NET.wanPrefix6}`, 'dev', 'wan0', 'nodad');
  await ip('inet', 'link', 'set', 'wan0', 'up');
  for (const a of SERVICE_ADDRESSES) await ip('inet', 'addr', 'add', `${a}/32`, 'dev', 'lo');
  for (const a of SERVICE_ADDRESSES6) await ip('inet', 'addr', 'add', `${a}/128`, 'dev', 'lo', 'nodad');
  // IPv6 is routed, not NATed: the internet knows the way back to the school's prefix.
  await ip('inet', '-6', 'route', 'add', `fd00:10::/${APPLIANCE.lanPrefix6}`, 'via', NET.wanAppliance6, 'dev', 'wan0', 'onlink');
  await ip('app', 'route', 'add', 'default', 'via', NET.wanGateway);
  await ip('app', '-6', 'route', 'add', 'default', 'via', NET.wanGateway6, 'dev', APPLIANCE.wan, 'onlink');

  // LAN: one bridge, one veth port per client.
  await ip('app', 'link', 'add', APPLIANCE.lan, 'type', 'bridge');
  await ip('app', 'addr', 'add', `${APPLIANCE.ip}/${APPLIANCE.lanPrefix}`, 'dev', APPLIANCE.lan);
  await ip('app', 'addr', 'add', `${APPLIANCE.ip6}/${APPLIANCE.lanPrefix6}`, 'dev', APPLIANCE.lan, 'nodad');
  await ip('app', 'link', 'set', APPLIANCE.lan, 'up');
  for (const [name, c] of Object.entries(CLIENTS) as [ClientName, (typeof CLIENTS)[ClientName]][]) {
    const port = `p-${name}`;
    await ip('app', 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns[name]);
    await ip('app', 'link', 'set', port, 'master', APPLIANCE.lan, 'up');
    await ip(name, 'addr', 'add', `${c.ip}/${APPLIANCE.lanPrefix}`, 'dev', 'eth0');
    await ip(name, 'addr', 'add', `${c.ip6}/${APPLIANCE.lanPrefix6}`, 'dev', 'eth0', 'nodad');
    await ip(name, 'link', 'set', 'eth0', 'up');
    await ip(name, 'route', 'add', 'default', 'via', APPLIANCE.ip);
    await ip(name, '-6', 'route', 'add', 'default', 'via', APPLIANCE.ip6, 'dev', 'eth0', 'onlink');
  }
  // The bridge had no carrier when its address was added: make sure its prefix route is there.
  await ip('app', '-6', 'route', 'replace', `fd00:10::/${APPLIANCE.lanPrefix6}`, 'dev', APPLIANCE.lan);
  await sysctl('app', 'net.ipv4.ip_forward', '1');
  await sysctl('app', 'net.ipv6.conf.all.forwarding', '1');
  // Bridged frames must not walk the IP hooks (the Debian default when br_netfilter is not loaded).
  await sysctl('app', 'net.bridge.bridge-nf-call-iptables', '0');
  await sysctl('app', 'net.bridge.bridge-nf-call-ip6tables', '0');
}

async function startServices(dir: string, cert: { key: string; pem: string }, spawnIn: (name: string, argv: string[]) => Background): Promise<void> {
  const upstream = spawnIn('upstream', ['unbound', '-d', '-c', writeUpstreamConfig(dir)]);
  const rogue = spawnIn('rogue', ['unbound', '-d', '-c', writeRogueConfig(dir, cert)]);
  const web = spawnIn('web', [process.execPath, '--import', 'tsx', new URL('./web-server.ts', import.meta.url).pathname, cert.pem, cert.key, NET.web, NET.web6, NET.vpn]);
  const iperfs = NET.iperfPorts.map((port) => spawnIn(`iperf3-${port}`, ['iperf3', '-s', '--forceflush', '-B', NET.iperf, '-p', String(port)]));
  await web.waitFor(/web server listening/, 20_000);
  await Promise.all(iperfs.map((p) => p.waitFor(/Server listening/, 10_000)));
  // unbound logs to its file; it is ready once it answers.
  for (const [p, addr] of [[upstream, NET.upstream], [rogue, NET.rogue]] as const) {
    const ok = await waitForDns(dir, p, addr);
    if (!ok) throw new Error(`${p.name} resolver did not come up: ${p.output()}${readLog(dir, p.name)}`);
  }
}

async function waitForDns(_dir: string, p: Background, addr: string): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (p.proc.exitCode !== null) return false;
    const r = await run(['ip', 'netns', 'exec', nsOf(p), 'dig', '+time=1', '+tries=1', '+short', `@${addr}`, 'web.test'], { timeoutMs: 3000 });
    if (r.code === 0 && r.stdout.trim() !== '') return true;
    await new Promise((res) => setTimeout(res, 100));
  }
  return false;
}

/** the namespace a background process runs in (its argv is `ip netns exec NS …`) */
function nsOf(p: Background): string {
  return p.proc.spawnargs[3];
}

function readLog(dir: string, name: string): string {
  const path = join(dir, `${name}.log`);
  return existsSync(path) ? readFileSync(path, 'utf8').slice(-2000) : '';
}

/** Synchronous teardown: also runs from process 'exit', so a crashing test leaves nothing. */
function cleanupSync(namespaces: string[], procs: Background[], daemons: RunningDaemon[], dir: string): void {
  for (const p of [...procs.map((b) => b.proc), ...daemons.map((d) => d.proc)]) {
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  }
  for (const name of namespaces) {
    killNamespacePids(name);
    spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
  }
  if (process.env.SG_LAB_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
}

/** Processes still inside a lab namespace were started by the lab (servers, daemons, tools). */
function killNamespacePids(name: string): void {
  const r = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' });
  for (const pid of (r.stdout ?? '').split(/\s+/).filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Namespaces left by a lab whose process died (SIGKILL of the test runner) are removed. */
export function sweepStaleLabs(): void {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const line of (r.stdout ?? '').split('\n')) {
    const m = new RegExp(`^(${PREFIX}(\\d+)-\\d+-[a-z0-9]+)`).exec(line.trim());
    if (!m || Number(m[2]) === process.pid || alive(Number(m[2]))) continue;
    killNamespacePids(m[1]);
    spawnSync('ip', ['netns', 'del', m[1]], { stdio: 'ignore' });
    rmSync(`/etc/netns/${m[1]}`, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function instructions(ns: Record<Place, string>, dir: string, cert: string): string {
  const lines = [
    'schoolgate lab is up. Enter a namespace with:',
    ...(Object.entries(ns) as [Place, string][]).map(([place, name]) => `  ${place.padEnd(7)} ip netns exec ${name} bash`),
    '',
    'Try, from a client namespace:',
    `  dig web.test                        # through the appliance (${APPLIANCE.ip})`,
    `  dig @${NET.rogue} web.test          # intercepted in gateway mode (rogue answers ${'203.0.113.99'})`,
    `  kdig +tls @${NET.rogue} web.test     # DoT: dropped for the LAN`,
    `  curl --cacert ${cert} https://web.test/`,
    `  iperf3 -c ${NET.iperf} -p 5201 -t 5 [-R]`,
    '',
    `Files (configs, logs, certificate, daemon data): ${dir}`,
    `Appliance rules: ip netns exec ${ns.app} nft list table inet schoolgate`,
    `Appliance shaping: tc -n ${ns.app} class show dev ${APPLIANCE.lan}`,
  ];
  return lines.join('\n');
}
