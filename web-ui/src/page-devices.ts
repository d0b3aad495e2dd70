// Devices and groups: the device register (MAC → user, group, class, expiry) from the school's
// asset or MIS export, imported all-or-nothing (a bad line is named and nothing changes), and
// the groups with what puts a device in each.
import { api } from './api.js';
import type { DeviceImportResult, DeviceList } from './api-types.js';
import { h, replace } from './dom.js';
import { can } from './permissions.js';
import type { PageContext } from './router.js';
import { errorNotice, field, loading, notice, pageHead, table, toast } from './widgets.js';

type Device = DeviceList['items'][number];
type GroupItem = Record<string, unknown> & { name?: string; default?: boolean; match?: { subnets?: string[]; ranges?: string[]; macs?: string[] }; safeSearch?: string };

function importForm(done: () => void): HTMLFormElement {
  const file = h('input', { type: 'file', name: 'file', accept: '.csv,text/csv', required: true });
  const out = h('div');
  const form = h('form', { class: 'panel device-import' }, h('h2', null, 'Import the device register'),
    h('p', { class: 'small muted' }, 'CSV with the header mac,user,group[,class,expires] (expires: last day, YYYY-MM-DD). The file replaces the register; a bad line rejects the whole file.'),
    field('CSV file', file), out, h('button', { type: 'submit', class: 'primary' }, 'Import'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = file.files?.[0];
    if (!f) return;
    const r = await api.post<DeviceImportResult>('/devices/import', { csv: await f.text(), from: f.name });
    if (!r.ok) {
      replace(out, notice('bad', `Nothing imported: ${r.message}`, r.errors?.length ? h('ul', { class: 'small import-errors' }, r.errors.map((e) => h('li', { class: 'mono' }, e.path ? `${e.path}: ${e.message}` : e.message))) : null));
      return;
    }
    replace(out, notice('ok', `Imported ${r.value.devices} devices: ${r.value.added} added, ${r.value.changed} changed, ${r.value.removed} removed.`));
    toast('ok', 'Device register imported.');
    form.reset();
    done();
  });
  return form;
}

export async function devicesPage(ctx: PageContext): Promise<void> {
  const role = ctx.session.user.role;
  const filter = h('input', { type: 'search', placeholder: 'MAC, user, group or class', aria: { label: 'Filter devices' } });
  const regBox = h('div', null, loading());
  const groupsBox = h('div', null, loading());
  ctx.main.append(pageHead('Devices and groups'));
  if (can(role, 'importDevices')) ctx.main.append(importForm(() => void loadDevices()));
  ctx.main.append(h('section', { class: 'panel' }, h('h2', null, 'Groups'), h('p', { class: 'small muted' }, 'A device belongs to the first group that matches it (the register first, then MACs, subnets and ranges); the default group takes the rest.'), groupsBox));
  if (can(role, 'listDevices')) ctx.main.append(h('section', { class: 'panel' }, h('h2', null, 'Device register'), h('div', { class: 'row' }, filter), regBox));

  let devices: Device[] = [];
  let file: string | undefined;
  const drawDevices = () => {
    const f = filter.value.trim().toLowerCase();
    const rows = devices.filter((d) => !f || [d.mac, d.user, d.group, d.class ?? ''].some((x) => x.toLowerCase().includes(f)));
    replace(regBox, file ? h('p', { class: 'small muted' }, `Kept in step with ${file}.`) : null, table<Device>([
      { head: 'MAC', cell: (d) => d.mac, class: 'mono' },
      { head: 'User', cell: (d) => d.user },
      { head: 'Group', cell: (d) => d.group },
      { head: 'Class', cell: (d) => d.class ?? '' },
      { head: 'Until', cell: (d) => d.expires ?? '', class: 'nowrap' },
    ], rows.slice(0, 1000), devices.length ? 'No device matches.' : 'The register is empty.', { class: 'devices' }),
    rows.length > 1000 ? h('p', { class: 'small muted' }, `${rows.length - 1000} more: narrow the filter.`) : null);
  };
  const loadDevices = async () => {
    if (!can(role, 'listDevices')) return;
    const r = await api.get<DeviceList>('/devices');
    if (ctx.left()) return;
    if (!r.ok) return replace(regBox, errorNotice(r));
    devices = r.value.items;
    file = r.value.file;
    drawDevices();
  };
  filter.addEventListener('input', drawDevices);

  const loadGroups = async () => {
    const r = await api.get<{ items: GroupItem[] }>('/groups');
    if (ctx.left()) return;
    if (!r.ok) return replace(groupsBox, errorNotice(r));
    replace(groupsBox, table<GroupItem>([
      { head: 'Group', cell: (g) => [h('strong', null, String(g.name ?? '')), g.default ? h('div', { class: 'small muted' }, 'default') : null] },
      { head: 'Subnets and ranges', cell: (g) => [...(g.match?.subnets ?? []), ...(g.match?.ranges ?? [])].join(', ') || '—' },
      { head: 'MACs', cell: (g) => String(g.match?.macs?.length ?? 0), class: 'num' },
      { head: 'Registered devices', cell: (g) => String(devices.filter((d) => d.group === g.name).length), class: 'num' },
      { head: 'Safe search', cell: (g) => String(g.safeSearch ?? 'off') },
    ], r.value.items, 'No groups.', { class: 'groups' }));
  };
  await loadDevices();
  await loadGroups();
}
