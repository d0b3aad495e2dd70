import { parseArgs } from 'node:util';
import { Daemon } from '../daemon/index.js';
import { createLogger } from '../log.js';
import { DAEMON_STAGES } from '../stages.js';
import type { Io } from './common.js';
import { loadOrReport } from './common.js';

export async function runCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' } } });
  const loaded = await loadOrReport(values.config, io);
  if (!loaded) return 1;
  const log = createLogger(loaded.config.log.level);
  log.info({ config: loaded.file, dataDir: loaded.config.dataDir }, 'starting');
  const daemon = new Daemon(loaded, log, DAEMON_STAGES);
  const started = await daemon.start();
  if (!started.ok) {
    log.fatal({ err: started.error }, 'cannot start');
    io.err(`schoolgate: ${started.error}`);
    log.flush();
    return 1;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping');
      const force = setTimeout(() => resolve(1), 10_000);
      force.unref();
      void daemon.stop().then(() => {
        clearTimeout(force);
        log.info('stopped');
        log.flush();
        resolve(0);
      });
    };
    process.on('SIGHUP', () => void daemon.reload());
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
