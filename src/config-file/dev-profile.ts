// The embedded dev profile: `schoolgate run` with no --config. Loopback only, nothing in the
// kernel, the bundled sample lists. Clients 127.0.0.1 are pupils, 127.0.0.2 staff, others guests.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package folder: the nearest one above this code with a package.json (this file is
 * src/config-file/ under tsx, or part of the daemon bundle dist/cli.js or one of its chunks).
 */
export const PACKAGE_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return `${dir}/`;
    if (dirname(dir) === dir) return `${dirname(dirname(from))}/`;
  }
}

export const DEV_PROFILE_NAME = '<dev-profile>';

export const DEV_PROFILE_YAML = `# schoolgate dev profile (embedded)
mode: dns-only
dataDir: var/dev
timezone: Europe/London
dns:
  listen: ["127.0.0.1:5353"]
  upstreams: ["9.9.9.9:53", "149.112.112.112:53"]
  blocking: { answer: blockpage, address: 127.0.0.1, ttl: 10 }
lists:
  - { name: ut1-sample, format: ut1, source: firmware/lists/ut1-sample/blacklists }
  - { name: locked-test, format: domains, category: illegal-test, source: firmware/lists/locked-test.txt }
  - { name: school-deny, format: domains, category: school-deny, source: firmware/lists/school-deny.txt }
  - { name: school-allow, format: domains, category: school-allow, kind: allow, source: firmware/lists/school-allow.txt }
locked: [illegal-test]
calendar:
  holidays:
    - { name: christmas, from: "2026-12-19", to: "2027-01-04" }
schedules:
  lunch: [{ days: [mon, tue, wed, thu, fri], from: "12:15", to: "13:15" }]
  after-school:
    windows: [{ days: [mon, tue, wed, thu, fri], from: "15:30", to: "18:00" }]
    except: [holidays]
groups:
  - name: staff
    match: { subnets: ["127.0.0.2/32"] }
    block: [illegal-test, mixed_adult, gambling, cryptojacking, stalkerware]
    allow: [school-allow]
  - name: pupils
    match: { subnets: ["127.0.0.1/32"] }
    block: [illegal-test, mixed_adult, lingerie, gambling, games, social_networks, dating, vpn, doh, redirector, residential-proxies, warez, hacking, cryptojacking, stalkerware, school-deny]
    allow: [school-allow, liste_blanche]
    allowDuring: { games: [lunch] }
    safeSearch: strict
  - name: guests
    default: true
    block: [illegal-test, mixed_adult, gambling, cryptojacking]
admin: { listen: ["127.0.0.1:8080"], tls: "off" }
leds: { backend: virtual }
`;
