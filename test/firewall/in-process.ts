// The firewall stage inside the test process, applying to a lab's appliance namespace: the real
// Daemon (store, compiled lists, policy state, events) with only this stage, so a test can emit
// events (resolved, overrides:changed) and read the stage's usage service directly.
import { parseConfig } from '../../src/config-file/index.js';
import { Daemon } from '../../src/daemon/index.js';
import type { DaemonContext } from '../../src/daemon/index.js';
import { createFirewallStage } from '../../src/firewall/index.js';
import type { FirewallStage, NftApplier, TcApplier } from '../../src/firewall/index.js';
import { readCategoryCatalog } from '../../src/lists/index.js';
import { createLogger } from '../../src/log.js';
import type { Lab, LabConfig } from '../lab/lab.js';
import { toYaml } from '../lab/lab-config.js';

export interface InProcessFirewall {
  daemon: Daemon;
  ctx: DaemonContext;
  stage: FirewallStage;
  stop(): Promise<void>;
}

export async function startInProcess(lab: Lab, config: LabConfig, opts: { nft?: NftApplier; tc?: TcApplier; logLevel?: string } = {}): Promise<InProcessFirewall> {
  const parsed = await parseConfig(toYaml(config), 'lab.yaml', lab.dir, (c) => readCategoryCatalog(c.dataDir, c.lists));
  if (!parsed.ok) throw new Error(`lab config: ${JSON.stringify(parsed.errors)}`);
  let stage: FirewallStage | undefined;
  const log = createLogger(opts.logLevel ?? 'silent');
  const daemon = new Daemon(parsed.loaded, log, [(ctx) => (stage = createFirewallStage(ctx, { netns: lab.ns.app, nft: opts.nft, tc: opts.tc }))]);
  const started = await daemon.start();
  if (!started.ok || !stage || !daemon.ctx) throw new Error(`daemon: ${started.ok ? 'no stage' : started.error}`);
  return { daemon, ctx: daemon.ctx, stage, stop: () => daemon.stop() };
}
