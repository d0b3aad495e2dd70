// The LED states as a JSON file for tests and other tools (DESIGN.md's shape:
// {"power":{"pattern":"heartbeat","why":"…"},"wan":{…},"filter":{…},"alert":{…}}), written
// atomically: a reader sees the old states or the new ones, never half a file.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LedStates } from '../daemon/index.js';
import { LEDS } from './led-names.js';
import { writeFileAtomic } from '../store/index.js';
import { allLeds } from './priority.js';
import type { LedBackend, LedResult } from './led-backend.js';
import { fileError } from './led-backend.js';

export function fileText(states: LedStates): string {
  return `${JSON.stringify(Object.fromEntries(LEDS.map((l) => [l, { pattern: states[l].pattern, why: states[l].why }])))}\n`;
}

export function createFileBackend(path: string): LedBackend {
  // Writes go one after another, so the file always ends with the newest states.
  let queue: Promise<LedResult> = Promise.resolve({ ok: true });
  const put = (states: LedStates): Promise<LedResult> => {
    queue = queue.then(() => writeFileAtomic(path, fileText(states)).then((): LedResult => ({ ok: true }), (err: unknown) => fileError(path, err)));
    return queue;
  };
  return {
    name: 'file',
    async open(): Promise<LedResult> {
      try {
        await mkdir(dirname(path), { recursive: true });
      } catch (err) {
        return fileError(dirname(path), err);
      }
      return put(allLeds('off', 'schoolgate is starting'));
    },
    show: put,
    async close() {
      await put(allLeds('off', 'schoolgate is not running'));
    },
  };
}
