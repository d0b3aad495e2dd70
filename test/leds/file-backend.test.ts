// The file backend: DESIGN.md's JSON shape, written atomically (a reader never sees half a
// file, kill -9 in the middle of writing leaves the old states or the new ones).
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LedStates } from '../../src/daemon/index.js';
import { allLeds, createFileBackend } from '../../src/leds/index.js';
import { REPO, tempDir } from '../helpers/daemon.js';

const states = (n: number): LedStates => ({
  power: { pattern: 'heartbeat', why: `state ${n}` },
  wan: { pattern: n % 2 ? 'fast-blink' : 'on', why: 'w' },
  filter: { pattern: 'on', why: 'f' },
  alert: { pattern: 'off', why: 'a' },
});

t.test('the JSON shape DESIGN.md fixes', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const path = join(d.dir, 'run', 'schoolgate', 'leds.json');
  const b = createFileBackend(path);
  t.same(await b.open(), { ok: true }, 'creates its folder');
  t.same(JSON.parse(readFileSync(path, 'utf8')), allLeds('off', 'schoolgate is starting'));
  await b.show(states(1));
  const text = readFileSync(path, 'utf8');
  t.equal(text, '{"power":{"pattern":"heartbeat","why":"state 1"},"wan":{"pattern":"fast-blink","why":"w"},"filter":{"pattern":"on","why":"f"},"alert":{"pattern":"off","why":"a"}}\n');
  await b.close();
  t.same(JSON.parse(readFileSync(path, 'utf8')), allLeds('off', 'schoolgate is not running'));
});

t.test('many quick changes: the file ends with the newest, and no reader sees a torn file', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const path = join(d.dir, 'leds.json');
  const b = createFileBackend(path);
  await b.open();
  let reads = 0;
  let torn = 0;
  let writing = true;
  const reader = (async () => {
    while (writing) {
      try {
        JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        torn++;
      }
      reads++;
      await new Promise((r) => setImmediate(r));
    }
  })();
  const all = Array.from({ length: 60 }, (_, i) => b.show(states(i)));
  await Promise.all(all);
  writing = false;
  await reader;
  t.equal(torn, 0, `no torn read in ${reads}`);
  t.equal(JSON.parse(readFileSync(path, 'utf8')).power.why, 'state 59');
  t.same(readdirSync(d.dir), ['leds.json'], 'no temp file left');
});

t.test('kill -9 while writing: the file still parses', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const path = join(d.dir, 'leds.json');
  const script = `
    import { createFileBackend } from ${JSON.stringify(join(REPO, 'src/leds/index.ts'))};
    const b = createFileBackend(${JSON.stringify(path)});
    await b.open();
    for (let i = 0; ; i++) {
      await b.show({ power: { pattern: 'heartbeat', why: 'n' + i }, wan: { pattern: 'on', why: '' }, filter: { pattern: 'on', why: '' }, alert: { pattern: 'off', why: '' } });
      if (i === 5) process.stdout.write('writing\\n');
    }`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  await new Promise((r) => setTimeout(r, 150));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('close', r));
  const after = JSON.parse(readFileSync(path, 'utf8')) as LedStates;
  t.match(after.power.why, /^n\d+$/, `a whole state (${after.power.why})`);
});
