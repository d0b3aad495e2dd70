// The real `schoolgate` CLI, with the firewall stage appended to the daemon's stages when
// src/stages.ts does not list it yet (it goes last: interception needs DNS listening first).
// Once the lead registers createFirewallStage in DAEMON_STAGES this adds nothing.
import type { StageFactory } from '../../src/daemon/index.js';
import { createFirewallStage } from '../../src/firewall/index.js';
import { DAEMON_STAGES } from '../../src/stages.js';

if (!DAEMON_STAGES.includes(createFirewallStage)) (DAEMON_STAGES as StageFactory[]).push(createFirewallStage);
await import('../../src/cli.js');
