// The fake internet's servers, as config files and command lines: a real upstream resolver
// (unbound), a "rogue" resolver that also speaks DoT and DoH (unbound), a web server (HTTP and
// HTTPS, self-signed), and iperf3 servers. Every address is TEST-NET / documentation space.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const NET = {
  /** WAN link between the appliance and the fake internet */
  wanGateway: '192.0.2.1', wanAppliance: '192.0.2.2', wanPrefix: 24,
  wanGateway6: '2001:db8:0:1::1', wanAppliance6: '2001:db8:0:1::2', wanPrefix6: 64,
  /** the school's upstream resolver (unbound) */
  upstream: '198.51.100.1', upstream6: '2001:db8:ffff::1',
  /** a resolver a pupil might type in (plain DNS, DoT on 853, DoH on rogueDoh) */
  rogue: '198.51.100.53', rogue6: '2001:db8:ffff::5353',
  /** web server: HTTP 80, HTTPS 443 */
  web: '203.0.113.10', web6: '2001:db8:ffff::10',
  /** iperf3 servers, one port per concurrent client */
  iperf: '203.0.113.20', iperfPorts: [5201, 5202, 5203, 5204],
  /** DoH endpoint learned from DNS (doh.test) */
  doh: '203.0.113.53', doh6: '2001:db8:ffff::53',
  /** DoH endpoint known only by IP: listed statically in the doh list */
  dohStatic: '203.0.113.54',
  /** a VPN endpoint (vpn.test), TCP 443 on the web server process */
  vpn: '203.0.113.60',
} as const;

/** Test names the upstream resolver knows (everything else is NXDOMAIN). */
export const NAMES: Record<string, { a: string; aaaa?: string }> = {
  'web.test': { a: NET.web, aaaa: NET.web6 },
  'blocked.test': { a: NET.web, aaaa: NET.web6 },
  'games.test': { a: NET.web },
  'iperf.test': { a: NET.iperf },
  'doh.test': { a: NET.doh, aaaa: NET.doh6 },
  'vpn.test': { a: NET.vpn },
};

/** What the rogue resolver answers for web.test: tells a test who answered. */
export const ROGUE_ANSWER = '203.0.113.99';

export const SERVICE_ADDRESSES = [
  NET.upstream, NET.rogue, NET.web, NET.iperf, NET.doh, NET.dohStatic, NET.vpn, ROGUE_ANSWER,
];
export const SERVICE_ADDRESSES6 = [NET.upstream6, NET.rogue6, NET.web6, NET.doh6];

function unboundBase(dir: string, name: string): string[] {
  return [
    'server:',
    '  do-daemonize: no',
    '  chroot: ""',
    '  username: ""',
    `  directory: "${dir}"`,
    `  pidfile: "${join(dir, `${name}.pid`)}"`,
    '  use-syslog: no',
    `  logfile: "${join(dir, `${name}.log`)}"`,
    '  verbosity: 1',
    '  log-queries: yes',
    '  do-ip6: yes',
    '  access-control: 0.0.0.0/0 allow',
    '  access-control: ::/0 allow',
    '  module-config: "iterator"',
    // Never recurse: only the local data below exists in the lab.
    '  local-zone: "." static',
  ];
}

/** Writes the upstream resolver's config; returns its path. */
export function writeUpstreamConfig(dir: string): string {
  const lines = unboundBase(dir, 'upstream');
  lines.push(`  interface: ${NET.upstream}`, `  interface: ${NET.upstream6}`);
  for (const [name, rr] of Object.entries(NAMES)) {
    lines.push(`  local-data: "${name}. 300 IN A ${rr.a}"`);
    if (rr.aaaa) lines.push(`  local-data: "${name}. 300 IN AAAA ${rr.aaaa}"`);
  }
  lines.push('remote-control:', '  control-enable: no');
  const path = join(dir, 'upstream.conf');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** The rogue resolver: plain DNS and DoT on NET.rogue, DoH on the doh addresses. */
export function writeRogueConfig(dir: string, cert: { key: string; pem: string }): string {
  const lines = unboundBase(dir, 'rogue');
  lines.push(
    `  interface: ${NET.rogue}`, `  interface: ${NET.rogue6}`,
    `  interface: ${NET.rogue}@853`, `  interface: ${NET.rogue6}@853`,
    `  interface: ${NET.doh}@443`, `  interface: ${NET.doh6}@443`, `  interface: ${NET.dohStatic}@443`,
    '  tls-port: 853',
    '  https-port: 443',
    '  http-endpoint: "/dns-query"',
    `  tls-service-key: "${cert.key}"`,
    `  tls-service-pem: "${cert.pem}"`,
    `  local-data: "web.test. 300 IN A ${ROGUE_ANSWER}"`,
    '  local-data: "rogue.test. 300 IN A 203.0.113.98"',
    'remote-control:', '  control-enable: no',
  );
  const path = join(dir, 'rogue.conf');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** Names and addresses the self-signed lab certificate covers. */
export const CERT_SUBJECTS = [
  'DNS:web.test', 'DNS:blocked.test', 'DNS:games.test', 'DNS:doh.test', 'DNS:vpn.test', 'DNS:rogue.test',
  `IP:${NET.web}`, `IP:${NET.doh}`, `IP:${NET.dohStatic}`, `IP:${NET.rogue}`, `IP:${NET.vpn}`, `IP:${NET.doh6}`, `IP:${NET.rogue6}`,
];

export function certCommand(dir: string): { argv: string[]; key: string; pem: string } {
  const key = join(dir, 'lab-key.pem');
  const pem = join(dir, 'lab-cert.pem');
  return {
    key,
    pem,
    argv: [
      'openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=schoolgate-lab', '-addext', `subjectAltName=${CERT_SUBJECTS.join(',')}`, '-keyout', key, '-out', pem,
    ],
  };
}

/** Lab list files (domains format, one category each); IPs in a list feed the firewall's static sets. */
export function writeLabLists(dir: string): { name: string; category: string; path: string }[] {
  const lists: Record<string, string[]> = {
    adult: ['blocked.test'],
    games: ['games.test'],
    doh: ['doh.test', NET.dohStatic],
    vpn: ['vpn.test'],
  };
  return Object.entries(lists).map(([category, names]) => {
    const path = join(dir, `list-${category}.txt`);
    writeFileSync(path, `${names.join('\n')}\n`);
    return { name: `lab-${category}`, category, path };
  });
}
