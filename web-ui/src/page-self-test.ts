// The filtering self-test, for the annual review: for each group, one known name per blocked
// category, the canaries and a safe-search name go through the real DNS path as a client of that
// group would send them; each line passes or fails, with the time it ran. Runs are kept (the
// evidence the DfE standard asks the review to keep), printable and as CSV.
import { API_BASE, api, seg } from './api.js';
import type { SelfTestLine, SelfTestList, SelfTestRun } from './api-types.js';
import { h, replace } from './dom.js';
import { dateTime, timeOfDay } from './format.js';
import { can } from './permissions.js';
import type { PageContext } from './router.js';
import { go } from './router.js';
import { actionButton, badge, errorNotice, loading, notice, pageHead, table, toast } from './widgets.js';

function runView(run: SelfTestRun): HTMLElement {
  const groups = [...new Set(run.lines.map((l) => l.group))];
  return h('section', { class: 'self-test-run' },
    h('div', { class: 'page-head' }, h('h2', null, `Run of ${dateTime(run.startedAt)} by ${run.by}`),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => window.print() }, 'Print'),
        h('a', { class: 'button', href: `${API_BASE}/self-test/${seg(run.id)}/report.csv`, download: `schoolgate-self-test-${run.startedAt.slice(0, 10)}.csv` }, 'CSV'))),
    run.failed ? notice('bad', `${run.failed} line${run.failed > 1 ? 's' : ''} failed: filtering does not do what the policy says for them.`) : notice('ok', `All ${run.passed} lines passed.`),
    groups.map((g) => h('div', { class: 'panel' }, h('h2', null, `Group ${g}`), table<SelfTestLine>([
      { head: 'Check', cell: (l) => (l.check === 'category' ? l.category ?? '' : l.check) },
      { head: 'Name', cell: (l) => l.name, class: 'break mono' },
      { head: 'Type', cell: (l) => l.qtype },
      { head: 'Expected', cell: (l) => l.expected },
      { head: 'Got', cell: (l) => [l.got, l.detail ? h('div', { class: 'small muted' }, l.detail) : null] },
      { head: 'Result', cell: (l) => badge(l.result === 'pass' ? 'ok' : l.result === 'fail' ? 'bad' : '', l.result) },
      { head: 'At', cell: (l) => `${timeOfDay(l.at)} (${l.ms.toFixed(1)} ms)`, class: 'small' },
    ], run.lines.filter((l) => l.group === g), 'No lines.', { class: 'self-test-lines' }))));
}

export async function selfTestPage(ctx: PageContext): Promise<void> {
  const runBox = h('div');
  const listBox = h('div', { class: 'panel no-print' }, loading());
  const run = can(ctx.session.user.role, 'runSelfTest') ? actionButton('Run the self-test now', async () => {
    replace(runBox, notice('info', 'Resolving the test names as each group…'));
    const r = await api.post<SelfTestRun>('/self-test');
    if (ctx.left()) return;
    if (!r.ok) {
      replace(runBox, errorNotice(r));
      return;
    }
    toast(r.value.failed ? 'bad' : 'ok', `Self-test: ${r.value.passed} passed, ${r.value.failed} failed.`);
    go('/self-test', { run: r.value.id });
  }, { class: 'primary run-self-test' }) : null;
  ctx.main.append(pageHead('Filtering self-test', 'evidence for the annual review', run), runBox, listBox);

  const list = await api.get<SelfTestList>('/self-test');
  if (ctx.left()) return;
  if (!list.ok) replace(listBox, errorNotice(list));
  else {
    type Item = SelfTestList['items'][number];
    replace(listBox, h('h2', null, 'Past runs'), table<Item>([
      { head: 'When', cell: (i) => h('a', { href: `#/self-test?run=${encodeURIComponent(i.id)}` }, dateTime(i.startedAt)), class: 'nowrap' },
      { head: 'By', cell: (i) => i.by },
      { head: 'Passed', cell: (i) => i.passed, class: 'num' },
      { head: 'Failed', cell: (i) => (i.failed ? badge('bad', String(i.failed)) : '0'), class: 'num' },
      { head: 'Skipped', cell: (i) => i.skipped, class: 'num' },
    ], list.value.items, 'The self-test has not been run yet.', { class: 'self-tests' }));
  }
  const id = ctx.query.get('run') ?? (list.ok ? list.value.items[0]?.id : undefined);
  if (!id) return;
  const one = await api.get<SelfTestRun>(`/self-test/${seg(id)}`);
  if (ctx.left()) return;
  replace(runBox, one.ok ? runView(one.value) : errorNotice(one));
}
