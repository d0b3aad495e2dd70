// The dashboard: the server-room LEDs mirrored, queries and blocks per minute, the top blocked
// categories and devices, WAN and list health. Live over SSE; a slow poll covers a dropped stream.
import { api } from './api.js';
import type { Leds, Stats, Status } from './api-types.js';
import { perSecond, withMinute } from './live-stats.js';
import { barList, timeChart } from './chart.js';
import { h, replace } from './dom.js';
import { ago, count, seconds } from './format.js';
import type { PageContext } from './router.js';
import { badge, errorNotice, pageHead } from './widgets.js';

const LED_LABELS: Record<keyof Leds, string> = { power: 'Power', wan: 'Internet', filter: 'Filtering', alert: 'Alert' };

function ledMirror(leds: Leds | undefined): HTMLElement {
  if (!leds) return h('p', { class: 'muted' }, 'The health stage is not running: no LED states yet.');
  return h('div', { class: 'leds' }, (Object.keys(LED_LABELS) as (keyof Leds)[]).map((name) => {
    const s = leds[name];
    return h('div', { class: `led ${name}`, data: { pattern: s.pattern, led: name }, title: s.why },
      h('span', { class: 'lamp', aria: { hidden: 'true' } }),
      h('strong', null, LED_LABELS[name]),
      h('span', { class: 'small' }, s.pattern),
      h('span', { class: 'small muted' }, s.why));
  }));
}

function kpi(label: string, value: string, sub?: string): HTMLElement {
  return h('div', { class: 'panel' }, h('div', { class: 'muted small' }, label), h('div', { class: 'kpi' }, value), sub ? h('div', { class: 'small muted' }, sub) : null);
}

function healthPanel(st: Status): HTMLElement {
  const wan = st.leds?.wan;
  const up = st.dns?.upstreams ?? [];
  const listAge = st.lists.ageSeconds;
  const failed = st.lists.lists.filter((l) => l.status !== 'ok');
  return h('div', { class: 'panel health' }, h('h2', null, 'Internet and lists'),
    h('p', null, 'Internet: ', wan ? badge(wan.pattern === 'on' ? 'ok' : 'bad', wan.pattern === 'on' ? 'up' : wan.why) : badge('', 'unknown')),
    up.length ? h('ul', { class: 'small' }, up.map((u) => h('li', null, u.address, ' ', badge(u.healthy ? 'ok' : 'bad', u.healthy ? 'healthy' : `${u.failures} failures`), u.rttMs !== undefined ? ` ${Math.round(u.rttMs)} ms` : ''))) : null,
    h('p', null, `Lists: ${count(st.lists.domains)} names in ${st.lists.categories} categories, compiled ${seconds(listAge)} ago `,
      failed.length ? badge('warn', `${failed.length} kept last good copy`) : badge('ok', 'current')),
    st.notes.length ? h('ul', { class: 'small muted notes' }, st.notes.map((n) => h('li', null, n))) : null);
}

export async function dashboardPage(ctx: PageContext): Promise<void> {
  const head = pageHead('Dashboard', undefined);
  const ledsBox = h('div', { class: 'panel' }, h('h2', null, 'Status lights'), h('p', { class: 'muted' }, 'Loading…'));
  const kpis = h('div', { class: 'grid kpis' });
  const chart = timeChart(['queries', 'blocked'], { title: 'DNS queries and blocked queries per minute, last hour' });
  const chartPanel = h('div', { class: 'panel' }, h('h2', null, 'Queries per minute (last hour)'), chart.el);
  const cats = h('div', { class: 'panel' }, h('h2', null, 'Top blocked categories (24 h)'));
  const devs = h('div', { class: 'panel' }, h('h2', null, 'Top blocked devices (24 h)'));
  const health = h('div');
  const err = h('div');
  ctx.main.append(head, err, ledsBox, kpis, chartPanel, h('div', { class: 'grid' }, cats, devs), health);
  ctx.onLeave(() => chart.destroy());

  let snapshot: Stats | undefined;
  let livePerSecond: number | undefined;
  const drawStats = (s: Stats) => {
    if (ctx.left()) return;
    snapshot = s;
    replace(kpis,
      livePerSecond !== undefined ? kpi('Queries per second', livePerSecond.toFixed(1), 'live') : kpi('Queries per second', perSecond(s).toFixed(1), 'last full minute'),
      kpi('Queries (24 h)', count(s.total24h)),
      kpi('Blocked (24 h)', count(s.blocked24h), s.total24h ? `${((s.blocked24h / s.total24h) * 100).toFixed(1)} %` : undefined));
    chart.set(s.perMinute.map((m) => m[0]), s.perMinute.map((m) => m[1]), s.perMinute.map((m) => m[2]));
    replace(cats, h('h2', null, 'Top blocked categories (24 h)'), barList(s.topCategories, 'Nothing blocked in the last 24 hours.'));
    replace(devs, h('h2', null, 'Top blocked devices (24 h)'), barList(s.topClients, 'Nothing blocked in the last 24 hours.'));
  };
  const drawStatus = (st: Status) => {
    if (ctx.left()) return;
    replace(ledsBox, h('h2', null, 'Status lights'), ledMirror(st.leds));
    replace(head, h('h1', null, 'Dashboard'), h('span', { class: 'muted' }, `${st.mode} mode · up ${seconds(st.uptimeSeconds)} · `,
      `${st.overrides.active} active overrides · ${st.incidents.open} open incidents`));
    replace(health, healthPanel(st));
  };
  const load = async () => {
    const [st, s] = await Promise.all([api.get<Status>('/status'), api.get<Stats>('/stats')]);
    if (ctx.left()) return;
    replace(err, !st.ok ? errorNotice(st) : !s.ok ? errorNotice(s) : null);
    if (st.ok) drawStatus(st.value);
    if (s.ok) drawStats(s.value);
  };
  await load();
  ctx.onLeave(ctx.live.on('stats', (e) => {
    if (!snapshot) return;
    livePerSecond = e.queriesPerSecond;
    drawStats(withMinute(snapshot, e));
  }));
  ctx.onLeave(ctx.live.on('leds', (leds) => {
    if (!ctx.left()) replace(ledsBox, h('h2', null, 'Status lights'), ledMirror(leds), h('p', { class: 'small muted' }, `updated ${ago(Date.now())}`));
  }));
  ctx.onLeave(ctx.live.on('incident', () => void load()));
  // The stream carries live figures; the full status (lists, upstreams) refreshes slowly.
  const timer = setInterval(() => void load(), 30_000);
  ctx.onLeave(() => clearInterval(timer));
}
