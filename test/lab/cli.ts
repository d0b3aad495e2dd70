// npm run lab [-- --no-daemon] [--config FILE]: builds the lab by hand, starts schoolgate in the
// appliance namespace (the lab config, or FILE), prints how to get into each namespace, and
// tears everything down on Ctrl-C (or SIGTERM).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLab } from './lab.js';

const { values } = parseArgs({ options: { 'no-daemon': { type: 'boolean' }, config: { type: 'string' } } });

const lab = await createLab();
let stopping = false;
const stop = async (why: string) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${why}: tearing the lab down…\n`);
  await lab.destroy();
  process.stdout.write('done.\n');
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

try {
  if (!values['no-daemon']) {
    const daemon = await lab.startDaemon(values.config ? { yaml: readFileSync(values.config, 'utf8') } : {});
    daemon.proc.stdout?.on('data', (c: Buffer) => process.stdout.write(c));
    void daemon.waitForLog(() => false, 2 ** 31 - 1).catch((err: Error) => {
      if (!stopping) process.stdout.write(`the daemon ended: ${err.message.slice(0, 500)}\n`);
    });
    process.stdout.write(`schoolgate runs in ${lab.ns.app} (pid ${daemon.proc.pid}); its log follows.\n`);
  }
  process.stdout.write(`${lab.instructions()}\n\nCtrl-C tears it all down.\n`);
} catch (err) {
  process.stderr.write(`lab: ${(err as Error).message}\n`);
  await stop('error');
}
