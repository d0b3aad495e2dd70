// The lab's daemon with packet capture on and one name blocked for pupils (social_networks),
// started and with tcpdump attached: the common start of the traffic stage's lab tests.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../lab/lab.js';
import { toYaml } from '../lab/lab-config.js';

export async function startTrafficDaemon(lab: Lab, blocked: string, configFile: string) {
  const config = lab.config();
  const list = join(lab.dir, 'list-social.txt');
  writeFileSync(list, `${blocked}\n`);
  config.lists.push({ name: 'lab-social', format: 'domains', category: 'social_networks', source: list });
  config.groups[1].block.push('social_networks');
  config.traffic = { enabled: true, blockTimeout: '2m' };
  config.admin = { listen: ['10.10.0.1:443'], tls: 'off' };
  const configPath = join(lab.dir, configFile);
  writeFileSync(configPath, toYaml(config));
  const daemon = await lab.startDaemon({ config });
  await daemon.waitForLog((l) => l.msg === 'capturing packet metadata', 10_000);
  // tcpdump needs a moment to attach its filter after it started
  await new Promise((r) => setTimeout(r, 1000));
  return { configPath, daemon };
}
