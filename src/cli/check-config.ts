import type { Io } from './common.js';
import { UsageError, loadOrReport } from './common.js';

export async function checkConfigCommand(args: string[], io: Io): Promise<number> {
  const file = args[0];
  if (!file || args.length > 1) throw new UsageError('usage: schoolgate check-config FILE');
  const loaded = await loadOrReport(file, io);
  if (!loaded) return 1;
  const { config } = loaded;
  io.out(`${file}: ok (${config.mode}, ${config.groups.length} groups, ${config.lists.length} lists)`);
  return 0;
}
