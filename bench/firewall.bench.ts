// Gateway mode: how fast kernel state follows the daemon, and what the daemon costs while the
// kernel forwards. Runs in the network-namespace lab (root). Three figures, medians:
//   1. config change → rules in force (nft transaction committed) and → shaping in force (tc)
//   2. learned IP (a `resolved` event) → set element committed in the kernel
//   3. daemon CPU while two pupils saturate their capped link, beside the same daemon idle
import { readFileSync } from 'node:fs';
import { createNftCli } from '../src/firewall/index.js';
import type { NftApplier } from '../src/firewall/index.js';
import { createLab } from '../test/lab/lab.js';
import type { Lab } from '../test/lab/lab.js';
import { until } from '../test/lab/exec.js';
import { iperf } from '../test/lab/measure.js';
import { configOf } from '../test/firewall/config-fixture.js';
import { startInProcess } from '../test/firewall/in-process.js';
import { median, writeSection } from './harness.js';

const ROUNDS_CONFIG = 10;
const ROUNDS_LEARN = 30;
const CPU_SECONDS = 6;
const CPU_ROUNDS = 3;

/** An NftApplier that notes when each transaction committed. */
function timedNft(lab: Lab, commits: { at: number; script: string }[]): NftApplier {
  const real = createNftCli({ netns: lab.ns.app });
  return {
    run: async (script) => {
      const r = await real.run(script);
      if (r.ok) commits.push({ at: performance.now(), script });
      return r;
    },
    listJson: (a) => real.listJson(a),
    listTerse: (a) => real.listTerse(a),
  };
}

async function kernelLatencies(lab: Lab): Promise<{ configNft: number[]; configTc: number[]; learn: number[] }> {
  const commits: { at: number; script: string }[] = [];
  const fw = await startInProcess(lab, lab.config(), { nft: timedNft(lab, commits) });
  const configNft: number[] = [];
  const configTc: number[] = [];
  const learn: number[] = [];
  try {
    for (let i = 0; i < ROUNDS_CONFIG; i++) {
      const raw = lab.config();
      const down = i % 2 === 0 ? '21mbit' : '20mbit';
      raw.groups[1].bandwidth = { ...raw.groups[1].bandwidth, down };
      const seen = commits.length;
      const t0 = performance.now();
      fw.ctx.state.swap({ ...fw.ctx.state.current, config: configOf(raw as unknown as Record<string, unknown>) });
      fw.ctx.events.emit('config:reloaded');
      const want = down === '21mbit' ? /5347:400 root[^\n]*rate 21Mbit/ : /5347:400 root[^\n]*rate 20Mbit/;
      await until(async () => want.test((await lab.exec('app', ['tc', 'class', 'show', 'dev', 'br-lan', 'classid', '5347:400'])).stdout), 10_000, 2);
      configTc.push(performance.now() - t0);
      const commit = commits.slice(seen).find((c) => c.script.includes('delete table'));
      if (commit) configNft.push(commit.at - t0);
    }
    for (let i = 0; i < ROUNDS_LEARN; i++) {
      const address = `203.0.113.${100 + i}`;
      const t0 = performance.now();
      fw.ctx.events.emit('resolved', { name: `d${i}.doh.test`, categories: ['doh'], addresses: [address], ttl: 60, client: '10.10.2.10', group: 'staff' });
      await until(() => commits.some((c) => c.script.includes(address)), 5000, 1);
      learn.push((commits.find((c) => c.script.includes(address))?.at ?? NaN) - t0);
    }
  } finally {
    await fw.stop();
  }
  return { configNft, configTc, learn };
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime stime cutime cstime (fields 14-17; index 11-14 after the command name)
  return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
}

async function daemonCpu(lab: Lab): Promise<{ idle: number[]; saturated: number[]; pupilMbit: number[] }> {
  // The production poll interval (5 s), and a quota the runs do not use up.
  const daemon = await lab.startDaemon({ patch: (c) => {
    c.network.usageInterval = '5s';
    c.groups[1].bandwidth = { ...c.groups[1].bandwidth, dailyQuota: '10GB' };
  } });
  const pid = daemon.proc.pid ?? 0;
  const hz = 100;
  const idle: number[] = [];
  const saturated: number[] = [];
  const pupilMbit: number[] = [];
  try {
    for (let i = 0; i < CPU_ROUNDS; i++) {
      let t0 = cpuTicks(pid);
      let w0 = performance.now();
      await new Promise((r) => setTimeout(r, CPU_SECONDS * 1000));
      idle.push(((cpuTicks(pid) - t0) / hz) / ((performance.now() - w0) / 1000) * 100);
      t0 = cpuTicks(pid);
      w0 = performance.now();
      const [a, b] = await Promise.all([
        iperf(lab, 'pupil', { port: 5201, seconds: CPU_SECONDS, down: true }),
        iperf(lab, 'staff', { port: 5202, seconds: CPU_SECONDS, down: true }),
      ]);
      saturated.push(((cpuTicks(pid) - t0) / hz) / ((performance.now() - w0) / 1000) * 100);
      pupilMbit.push(a.bps / 1e6);
      void b;
    }
  } finally {
    await daemon.stop('SIGTERM');
  }
  return { idle, saturated, pupilMbit };
}

const lab = await createLab();
try {
  const when = new Date().toISOString();
  const k = await kernelLatencies(lab);
  const cpu = await daemonCpu(lab);
  const f = (n: number) => n.toFixed(1);
  const md = `## Firewall (gateway mode)

${when}. \`npm run bench -- firewall\` (bench/firewall.bench.ts), in the network-namespace lab
(test/lab/lab.ts): the appliance namespace with a LAN bridge and four clients, the pupils capped
at 20/10 Mbit/s, nftables ${'1.0.6'} and iproute2 tc. Medians.

| what | median | rounds |
|---|---|---|
| config change → new ruleset committed (\`nft -f\`, whole table, atomic) | ${f(median(k.configNft))} ms | ${k.configNft.length} |
| config change → shaping in force (tc classes verified) | ${f(median(k.configTc))} ms | ${k.configTc.length} |
| learned IP (\`resolved\` event) → set element committed | ${f(median(k.learn))} ms | ${k.learn.length} |
| daemon CPU, idle (usage poll every 5 s, the default) | ${f(median(cpu.idle))} % of a core | ${cpu.idle.length} × ${CPU_SECONDS} s |
| daemon CPU while a pupil and staff saturate their links (iperf3 -R) | ${f(median(cpu.saturated))} % of a core | ${cpu.saturated.length} × ${CPU_SECONDS} s |

The pupil measured ${f(median(cpu.pupilMbit))} Mbit/s at its 20 Mbit/s cap meanwhile. CPU includes the
daemon's children (the nft/tc processes of its polls). Saturated ≈ idle: no packet passes through
JavaScript; what the daemon spends is the counter poll, whatever the traffic. The latencies
include starting \`nft\` (one process per transaction); the shaping figure includes polling tc.`;
  writeSection('firewall', md, { when, ...k, cpu });
  process.stdout.write(`${md}\n`);
} finally {
  await lab.destroy();
}
