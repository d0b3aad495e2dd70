// Bandwidth (gateway mode): each group's caps, each device's use today (or another day) against
// its daily quota, and the quota reset for a device that needs its full speed back.
import { api, seg } from './api.js';
import type { BandwidthView, DeviceUsage } from './api-types.js';
import { barList } from './chart.js';
import { h, replace } from './dom.js';
import { bytes, dateTime, isoDay } from './format.js';
import { can } from './permissions.js';
import type { PageContext } from './router.js';
import { actionButton, ask, badge, errorNotice, field, loading, notice, pageHead, report, table } from './widgets.js';

export async function bandwidthPage(ctx: PageContext): Promise<void> {
  const day = h('input', { type: 'date', name: 'day', value: ctx.query.get('day') ?? isoDay(Date.now()), max: isoDay(Date.now()) });
  const group = h('input', { name: 'group', placeholder: 'all groups', maxlength: 32, value: ctx.query.get('group') ?? '' });
  const form = h('form', { class: 'inline-form' }, field('Day', day), field('Group', group), h('button', { type: 'submit' }, 'Show'));
  const caps = h('div', null, loading());
  const chart = h('div');
  const usage = h('div', null, loading());
  ctx.main.append(pageHead('Bandwidth', 'caps and daily quotas'), h('div', { class: 'panel' }, h('h2', null, 'Caps per group'), caps),
    h('div', { class: 'panel' }, form, chart, usage));

  const reset = async (u: DeviceUsage) => {
    const v = await ask({ title: `Reset the quota of ${u.device}`, body: h('p', null, `Used ${bytes(u.bytes)} today${u.quota ? ` of ${bytes(u.quota)}` : ''}. Its quota counts again from now, at full speed.`), reason: { label: 'Why', min: 3 }, confirm: 'Reset quota' });
    if (!v) return;
    if (report(await api.post<DeviceUsage>(`/bandwidth/${seg(u.device)}/reset`, { reason: v.reason }), 'Quota reset.')) await load();
  };

  const load = async () => {
    const r = await api.get<BandwidthView>('/bandwidth', { day: day.value || undefined, group: group.value.trim() || undefined });
    if (ctx.left()) return;
    if (!r.ok) return replace(usage, errorNotice(r));
    const v = r.value;
    replace(caps, table<BandwidthView['caps'][number]>([
      { head: 'Group', cell: (c) => c.group },
      { head: 'Down', cell: (c) => c.bandwidth?.down ?? 'no cap' },
      { head: 'Up', cell: (c) => c.bandwidth?.up ?? 'no cap' },
      { head: 'Daily quota', cell: (c) => c.bandwidth?.dailyQuota ?? '—' },
      { head: 'Over quota', cell: (c) => c.bandwidth?.overQuota ?? '—' },
    ], v.caps, 'No groups.', { class: 'caps' }));
    if (!v.available) {
      replace(chart);
      return replace(usage, notice('info', v.note ?? 'Usage is measured in gateway mode only.'));
    }
    const top = [...v.items].sort((a, b) => b.bytes - a.bytes).slice(0, 15);
    replace(chart, h('h2', null, 'Most data used'), barList(top.map((u) => ({ name: `${u.device} (${u.group})`, count: u.bytes })), 'No traffic recorded for this day.'),
      h('p', { class: 'small muted' }, 'Bars in bytes.'));
    replace(usage, table<DeviceUsage>([
      { head: 'Device', cell: (u) => u.device, class: 'mono' },
      { head: 'Group', cell: (u) => u.group },
      { head: 'Down', cell: (u) => bytes(u.down), class: 'num' },
      { head: 'Up', cell: (u) => bytes(u.up), class: 'num' },
      { head: 'Total', cell: (u) => bytes(u.bytes), class: 'num' },
      { head: 'Quota left', cell: (u) => (u.quota === undefined ? '—' : u.overQuota ? badge('bad', `over since ${dateTime(u.overQuotaSince)}`) : bytes(u.remaining)) },
      { head: 'Resets', cell: (u) => String(u.resets), class: 'num' },
      { head: '', cell: (u) => (u.quota !== undefined && u.day === isoDay(Date.now()) && can(ctx.session.user.role, 'resetQuota')
        ? actionButton('Reset quota', () => reset(u), { class: 'small', data: { action: 'reset', device: u.device } }) : null) },
    ], v.items, 'No traffic recorded for this day.', { class: 'usage' }));
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void load();
  });
  await load();
}
