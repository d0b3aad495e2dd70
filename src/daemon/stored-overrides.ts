// Reads override records for CLI verbs. When the daemon holds the store, the CLI cannot open it.
import type { Override } from '../policy/index.js';
import { openStore } from '../store/index.js';

export async function readStoredOverrides(dataDir: string): Promise<{ records: Override[]; note?: string }> {
  const opened = await openStore(dataDir);
  if (!opened.ok) {
    return { records: [], note: opened.code === 'SG_STORE_LOCKED' ? 'the daemon is running: overrides are not shown here' : opened.error };
  }
  try {
    const records: Override[] = [];
    for await (const value of opened.store.overrides.values()) records.push(value as Override);
    return { records };
  } finally {
    await opened.store.close();
  }
}
