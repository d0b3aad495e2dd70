// Keeps the domain index current while the daemon serves: scheduled updates of URL lists (daily
// by default, jittered so twenty schools do not hit the mirror at once), updates on request, and
// a new index file written by `schoolgate lists update` picked up from disk. Every swap replaces
// one reference; queries in flight finish on the index they started with.
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { DomainIndex, collectAfterSwap, compileInChild, indexPath, listsKey, readIndexMeta } from '../lists/index.js';
import type { CompileResult, ListSource } from '../lists/index.js';
import { parseDuration } from '../schema/index.js';
import type { DaemonContext, Stage } from './daemon.js';
import { withIndex } from './state.js';
import { SYSTEM } from '../audit/index.js';
import type { Actor } from '../audit/index.js';

const CHECK_EVERY_MS = 10 * 60_000;

export interface ListUpdater extends Stage {
  /** Fetches (conditional GET) and compiles now; resolves when the new index is in use. */
  updateNow(reason: string, actor?: Actor): Promise<CompileResult>;
  readonly lastResult: CompileResult | undefined;
}

/**
 * URL lists whose copy is older than their `update` interval plus a jitter: `spread` (0–1, drawn
 * once per daemon start) times a tenth of the interval, at most an hour. Twenty schools whose
 * appliances came back from the same power cut do not all fetch from the mirror at once; since
 * each fetch restarts the interval, their update times drift apart further day by day.
 */
export function dueLists(lists: readonly ListSource[], reports: readonly { name: string; fetchedAt?: string }[], now: number, spread: number): string[] {
  const fetched = new Map(reports.map((r) => [r.name, Date.parse(r.fetchedAt ?? '')]));
  return lists.filter((l) => {
    if (!/^https?:\/\//i.test(l.source)) return false;
    const interval = (parseDuration(l.update) ?? 86400) * 1000;
    const jitter = spread * Math.min(interval * 0.1, 3_600_000);
    return !(now - (fetched.get(l.name) ?? NaN) < interval + jitter);
  }).map((l) => l.name);
}

export function createListUpdater(ctx: DaemonContext): ListUpdater {
  const log = ctx.log.child({ stage: 'lists' });
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  let sourceWatchers: FSWatcher[] = [];
  let sourceDebounce: NodeJS.Timeout | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let running: Promise<CompileResult> | undefined;
  let lastResult: CompileResult | undefined;
  const path = indexPath(ctx.loaded.config.dataDir);

  let swapping: Promise<boolean> = Promise.resolve(false);
  // One swap at a time, and the file's metadata first: the folder watcher fires for the file an
  // update has just swapped in, and loading a whole index only to find it is the one in use cost
  // a third index's worth of memory at the swap's peak (5M names: +36 MB, bench/out/lists.md).
  const swapFromDisk = (why: string): Promise<boolean> => (swapping = swapping.then(() => swapNow(why), () => swapNow(why)));
  const swapNow = async (why: string): Promise<boolean> => {
    const current = ctx.state.current.index;
    const head = await readIndexMeta(path);
    if (head && head.createdAt === current.meta.createdAt && head.entries === current.size) return false;
    const loaded = DomainIndex.fromFile(path);
    if (!loaded.ok) {
      log.error({ err: loaded.error, why }, 'new index does not load; keeping the current one');
      return false;
    }
    if (loaded.index.meta.createdAt === current.meta.createdAt && loaded.index.size === current.size) return false;
    ctx.state.swap(withIndex(ctx.state.current, loaded.index, ctx.clock.now()));
    // The old index is garbage now; without a nudge it stays resident (bench/out/lists.md).
    collectAfterSwap();
    log.info({ why, domains: loaded.index.size, categories: loaded.index.categories.length, rssMB: Math.round(process.memoryUsage.rss() / 1e6) }, 'index swapped');
    ctx.events.emit('index:swapped', loaded.index.meta);
    return true;
  };

  const run = (fetch: 'always' | 'when-due', reason: string, actor: Actor = SYSTEM): Promise<CompileResult> => {
    running ??= (async () => {
      const { config } = ctx.state.current;
      log.info({ reason, fetch }, 'list update started');
      const result = await compileInChild({ dataDir: config.dataDir, lists: config.lists, fetch });
      lastResult = result;
      // One audit entry per update: what changed, per category (or why nothing did).
      await ctx.core.audit.append({
        actor, action: result.ok ? 'lists.update' : 'lists.update-failed', reason,
        details: result.ok
          ? { entries: result.meta.entries, changes: result.changes, kept: result.meta.lists.filter((l) => l.status !== 'ok').map((l) => ({ list: l.name, error: l.error })) }
          : { error: result.error },
      }).catch((err: Error) => log.error({ err: err.message }, 'list update not audited'));
      if (result.ok) {
        await swapFromDisk(reason);
        const kept = result.meta.lists.filter((l) => l.status !== 'ok');
        if (kept.length > 0) ctx.events.emit('lists:failed', kept.map((l) => `${l.name}: ${l.error}`).join('; '));
        log.info({ changes: result.changes.length, kept: kept.map((l) => l.name) }, 'list update finished');
      } else {
        log.error({ err: result.error }, 'list update failed; the current index stays in use');
        ctx.events.emit('lists:failed', result.error);
      }
      return result;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  // Drawn once per start: each appliance waits its own extra share of the interval.
  const spread = Math.random();
  const due = (): boolean => dueLists(ctx.state.current.config.lists, ctx.state.current.index.lists, ctx.clock.now(), spread).length > 0;

  const schedule = () => {
    // Up to 20% jitter on the check interval spreads a fleet's downloads.
    timer = setTimeout(() => {
      if (due()) void run('when-due', 'schedule').finally(schedule);
      else schedule();
    }, CHECK_EVERY_MS * (1 + Math.random() * 0.2));
    timer.unref();
  };

  // Local list files (the school's own deny/allow lists) are recompiled when they change, so an
  // edit — or an approved site report — is in the index seconds later.
  const watchSources = () => {
    for (const w of sourceWatchers) w.close();
    sourceWatchers = [];
    const files = ctx.state.current.config.lists.filter((l) => l.format !== 'ut1' && !/^https?:\/\//i.test(l.source)).map((l) => l.source);
    for (const dir of new Set(files.map((f) => dirname(f)))) {
      try {
        const w = watch(dir, (_e, file) => {
          if (!file || !files.some((f) => dirname(f) === dir && basename(f) === file)) return;
          clearTimeout(sourceDebounce);
          sourceDebounce = setTimeout(() => void run('when-due', 'local list changed'), 2000);
        });
        w.on('error', () => w.close());
        sourceWatchers.push(w);
      } catch (err) {
        log.warn({ dir, err: (err as Error).message }, 'cannot watch a local list folder');
      }
    }
  };

  // A config change that touches the lists needs a new index (fetching only what is due).
  const onConfig = () => {
    watchSources();
    if (ctx.state.current.index.meta.listsKey !== listsKey(ctx.state.current.config.lists)) void run('when-due', 'config changed');
  };

  return {
    name: 'lists',
    get lastResult() {
      return lastResult;
    },
    updateNow: (reason, actor) => run('always', reason, actor),
    async start() {
      watcher = watch(dirname(path), (_event, file) => {
        if (file !== 'current.sgi') return;
        clearTimeout(debounce);
        debounce = setTimeout(() => {
          if (!running) void swapFromDisk('file changed');
        }, 300);
      });
      watcher.on('error', (err) => log.warn({ err }, 'index folder watch failed'));
      ctx.events.on('config:reloaded', onConfig);
      watchSources();
      schedule();
    },
    async stop() {
      clearTimeout(timer);
      clearTimeout(debounce);
      watcher?.close();
      clearTimeout(sourceDebounce);
      for (const w of sourceWatchers) w.close();
      ctx.events.off('config:reloaded', onConfig);
      await running;
    },
  };
}
