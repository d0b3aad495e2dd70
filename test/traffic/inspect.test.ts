// `schoolgate traffic inspect FILE` as a user runs it: the real CLI on a real capture.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../lab/exec.js';
import { CLI, tempDir } from '../helpers/daemon.js';

const FIXTURES = new URL('../fixtures/pcap/', import.meta.url).pathname;

t.test('traffic inspect prints each flow, its server name and the decision', async (t) => {
  const { dir, cleanup } = tempDir('sg-inspect-');
  t.teardown(cleanup);
  writeFileSync(join(dir, 'social.txt'), 'blocked.example\n');
  const config = join(dir, 'schoolgate.yaml');
  writeFileSync(config, `mode: dns-only
dataDir: ${dir}/data
dns: { listen: ["127.0.0.1:0"], upstreams: ["127.0.0.1:9"] }
lists:
  - { name: social, format: domains, category: social_networks, source: ${dir}/social.txt }
groups:
  - { name: pupils, match: { subnets: ["192.0.2.0/24"] }, block: [social_networks] }
  - { name: staff, default: true, block: [] }
admin: { listen: ["127.0.0.1:0"], tls: "off" }
`);
  const inspect = (file: string, ...extra: string[]) => run([process.execPath, '--import', 'tsx', CLI, 'traffic', 'inspect', FIXTURES + file, '--config', config, ...extra], { timeoutMs: 60_000 });

  const blocked = await inspect('tls13-curl.pcap');
  t.equal(blocked.code, 0, blocked.stderr);
  t.match(blocked.stdout, /192\.0\.2\.10 \(pupils\)\s+tls\s+blocked\.example\s+→ 192\.0\.2\.80:443\s+block \(sni, social_networks\)/);
  t.match(blocked.stdout, /22 packets, 1 flows, 1 blocked/);

  const v6 = await inspect('tls13-openssl-v6.pcap', '--json');
  t.equal(v6.code, 0, v6.stderr);
  const parsed = JSON.parse(v6.stdout) as { flows: { client: string; group: string; action: string; server: string }[] };
  t.match(parsed.flows, [{ client: '2001:db8::10', group: 'staff', action: 'allow', server: 'blocked.example' }], 'another group: allowed');

  const http = await inspect('http11-curl.pcap');
  t.match(http.stdout, /http\s+www\.example\.com .* allow \(default\)/);

  const bad = await run([process.execPath, '--import', 'tsx', CLI, 'traffic', 'inspect', config, '--config', config], { timeoutMs: 60_000 });
  t.equal(bad.code, 1);
  t.match(bad.stderr, /not a pcap stream/);
  const usage = await run([process.execPath, '--import', 'tsx', CLI, 'traffic', 'nonsense'], { timeoutMs: 60_000 });
  t.equal(usage.code, 2);
  t.match(usage.stderr, /usage: schoolgate traffic inspect FILE/);
});
