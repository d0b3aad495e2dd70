// The device register (import all-or-nothing, bad lines named), the lists (sizes, last update,
// update now) and bandwidth (gateway mode: caps, usage per device, quota reset).
import { ROUTES } from '../schemas/index.js';
import type { ListsView } from '../schemas/index.js';
import type { ApiDeps } from '../api-deps.js';
import type { Mounter } from '../route.js';
import { actorOf, fail, failureOf } from '../route.js';
import type { DaemonContext } from '../../daemon/index.js';
import type { CompileResult } from '../../lists/index.js';

function listsView(ctx: DaemonContext, updating: boolean): ListsView {
  const { config, index } = ctx.state.current;
  const reports = new Map(index.lists.map((r) => [r.name, r]));
  const last: CompileResult | undefined = ctx.services.lists?.lastResult;
  return {
    index: { compiledAt: index.meta.createdAt, domains: index.size, categories: index.categories.length, ageSeconds: Math.max(0, Math.round((ctx.clock.now() - Date.parse(index.meta.createdAt)) / 1000)) },
    lists: config.lists.map((l) => {
      const r = reports.get(l.name);
      return {
        name: l.name, format: l.format, source: l.source, category: l.category, kind: l.kind, update: /^https?:\/\//i.test(l.source) ? l.update : undefined,
        status: r?.status, error: r?.error, fetchedAt: r?.fetchedAt, accepted: r?.accepted, rejected: r?.rejected,
        categories: index.categories.filter((c) => c.list === l.name).map((c) => ({ name: c.name, kind: c.kind, count: c.count })),
      };
    }),
    lastUpdate: last && (last.ok ? { ok: true, changes: last.changes } : { ok: false, error: last.error }),
    updating,
  };
}

export function registerDeviceRoutes(mount: Mounter, deps: ApiDeps): void {
  const { ctx } = deps;
  let updating: Promise<CompileResult> | undefined;

  mount('listDevices', ROUTES.listDevices, async () => ({ items: ctx.core.register.list(), file: ctx.state.current.config.devices.register }));

  mount('importDevices', ROUTES.importDevices, async (c) => {
    const from = c.body.from?.replace(/[^\w. -]/g, '_') || 'upload';
    const r = await ctx.core.register.importText(c.body.csv, actorOf(c), `api upload ${from}`);
    if (!r.ok) {
      const errors = r.errors.slice(0, 100).map((e) => ({ path: `${from}:${e.line}`, message: e.message }));
      return fail('SG_BAD_INPUT', `nothing imported: ${errors.slice(0, 5).map((e) => `${e.path}: ${e.message}`).join('; ')}${r.errors.length > 5 ? ` (and ${r.errors.length - 5} more)` : ''}`, { errors });
    }
    return { ok: true as const, ...r.diff, devices: r.devices };
  });

  mount('listLists', ROUTES.listLists, async () => listsView(ctx, updating !== undefined));

  mount('updateLists', ROUTES.updateLists, async (c) => {
    const lists = ctx.services.lists;
    if (!lists) return fail('SG_UNAVAILABLE', 'the list updater is not running');
    const started = !updating;
    updating ??= lists.updateNow('api', actorOf(c)).finally(() => {
      updating = undefined;
    });
    if (!c.query.wait) return { started };
    const r = await updating;
    // Waited for: 200 with the outcome rather than 202.
    void c.reply.code(200);
    return c.reply.send(r.ok ? { started, ok: true, domains: r.meta.entries, changes: r.changes } : { started, ok: false, error: r.error });
  });

  mount('bandwidth', ROUTES.bandwidth, async (c) => {
    const { config } = ctx.state.current;
    const caps = config.groups.map((g) => ({ group: g.name, bandwidth: g.bandwidth as Record<string, string> | undefined }));
    const fw = ctx.services.firewall;
    if (!fw) return { available: false, note: config.mode === 'gateway' ? 'the firewall stage is not running' : 'usage and quotas exist in gateway mode only', caps, items: [] };
    return { available: true, caps, items: await fw.usage.list({ day: c.query.day, group: c.query.group, device: c.query.device }) };
  });

  mount('resetQuota', ROUTES.resetQuota, async (c) => {
    const fw = ctx.services.firewall;
    if (!fw) return fail('SG_NOT_GATEWAY', 'usage and quotas exist in gateway mode only');
    const r = await fw.usage.reset(c.params.device, { by: actorOf(c).name, reason: c.body.reason });
    if (!r.ok) return failureOf(r);
    await ctx.core.audit.append({ actor: actorOf(c), action: 'quota.reset', target: c.params.device, reason: c.body.reason, source: c.req.clientIp });
    return r.usage;
  });
}
