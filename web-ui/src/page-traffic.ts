// Traffic (gateway mode with traffic.enabled): the flows the appliance saw on the wire — server
// names from TLS, HTTP and QUIC hellos, DNS/DoT to other resolvers — newest first, filterable by
// device, with bytes from the kernel's counters where it counts them, and the top talkers.
// A viewer sees pseudonyms and filters by them (the API refuses a viewer's address filter).
import { api } from './api.js';
import type { Flow, FlowList, TalkerList } from './api-types.js';
import { h, replace } from './dom.js';
import { bytes, dateTime, timeOfDay } from './format.js';
import type { PageContext } from './router.js';
import { badge, errorNotice, field, formValues, loading, notice, pageHead, select, table } from './widgets.js';

const PROTO: Record<Flow['proto'], string> = { tls: 'TLS', http: 'HTTP', quic: 'QUIC', dns: 'DNS', dot: 'DoT' };

export async function trafficPage(ctx: PageContext): Promise<void> {
  const viewer = ctx.session.user.role === 'viewer';
  const device = h('input', { name: 'device', value: ctx.query.get('device') ?? '', placeholder: viewer ? 'device-…' : 'IP address', maxlength: 45 });
  const limit = select('limit', ['50', '100', '500', '2000'], ctx.query.get('limit') ?? '100');
  const form = h('form', { class: 'panel inline-form traffic-filter', role: 'search' },
    field('Device', device), field('Rows', limit), h('button', { type: 'submit', class: 'primary' }, 'Show'));
  const talkers = h('div', { class: 'panel' }, h('h2', null, 'Top talkers'), loading());
  const flows = h('div', { class: 'panel' }, loading());
  ctx.main.append(pageHead('Traffic', 'server names seen on the wire, newest first'), form, flows, talkers);

  const filterBy = (client: string) => {
    device.value = client;
    void load();
  };

  const load = async () => {
    const v = formValues(form);
    replace(flows, loading());
    const [f, top] = await Promise.all([
      api.get<FlowList>('/traffic/flows', { device: v.device, limit: v.limit }),
      api.get<TalkerList>('/traffic/top', { limit: '10' }),
    ]);
    if (ctx.left()) return;
    // Capture off (dns-only mode, or traffic.enabled false): the API's sentence, once.
    if (!f.ok && f.status === 404) {
      replace(flows, notice('info', f.message));
      return replace(talkers);
    }
    if (!f.ok) replace(flows, errorNotice(f));
    else replace(flows, f.value.counters.available ? null : h('p', { class: 'small muted' }, `Bytes: — (${f.value.counters.note ?? 'not counted'})`), flowTable(f.value.items, filterBy, !viewer));
    if (!top.ok) return replace(talkers, h('h2', null, 'Top talkers'), errorNotice(top));
    replace(talkers, h('h2', null, 'Top talkers'), table<TalkerList['items'][number]>([
      { head: 'Device', cell: (t) => h('button', { type: 'button', class: 'link mono', title: 'Show this device\'s flows', onclick: () => filterBy(t.client) }, t.client) },
      { head: 'Flows', cell: (t) => String(t.flows), class: 'num' },
      { head: 'Bytes', cell: (t) => bytes(t.bytes), class: 'num' },
    ], top.value.items, 'No flows yet.', { class: 'talkers' }));
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void load();
  });
  await load();
}

/** `addresses`: a viewer's server addresses are pseudonyms too (the API scrubs every address), so they are left out. */
function flowTable(items: readonly Flow[], filterBy: (client: string) => void, addresses: boolean): HTMLDivElement {
  const day = (t: number) => dateTime(t).slice(0, 10);
  return table<Flow>([
    { head: 'Time', cell: (x) => h('span', { title: dateTime(x.time) }, items.length && day(items[0].time) !== day(x.time) ? dateTime(x.time) : timeOfDay(x.time)), class: 'mono' },
    { head: 'Device', cell: (x) => [x.user ? h('strong', null, x.user) : null, h('button', { type: 'button', class: 'link mono small', onclick: () => filterBy(x.client) }, x.client)] },
    { head: 'Group', cell: (x) => x.group },
    { head: 'Server', cell: (x) => [h('span', { class: 'qname' }, x.server), addresses ? h('div', { class: 'small muted' }, `${x.dst} port ${x.dport}`) : null], class: 'break' },
    { head: 'Proto', cell: (x) => [PROTO[x.proto] ?? x.proto, x.ech ? h('div', { class: 'small muted', title: 'Encrypted Client Hello: only the outer name is visible' }, 'ECH') : null] },
    { head: 'Action', cell: (x) => [badge(x.action === 'block' ? 'bad' : 'ok', x.action), h('div', { class: 'small muted' }, [x.reason, x.category].filter(Boolean).join(' · '))] },
    { head: 'Bytes', cell: (x) => bytes(x.bytes), class: 'num' },
  ], items, 'No flows seen yet.', { class: 'flows' });
}
