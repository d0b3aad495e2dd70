// No hardware: the states live in the daemon (GET /status, the dashboard's LED mirror over SSE)
// and in the log line the health stage writes on every change. The dev profile's backend.
import type { LedStates } from '../daemon/index.js';
import type { LedBackend, LedResult } from './led-backend.js';

export function createVirtualBackend(): LedBackend & { current(): LedStates | undefined } {
  let current: LedStates | undefined;
  return {
    name: 'virtual',
    async open(): Promise<LedResult> {
      return { ok: true };
    },
    async show(states: LedStates): Promise<LedResult> {
      current = states;
      return { ok: true };
    },
    async close() {
      current = undefined;
    },
    current: () => current,
  };
}
