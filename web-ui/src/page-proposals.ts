// Four-eyes proposals: a policy change waits here until a second person — another user, with
// another role — approves it (then it applies) or rejects it, with a reason either way. Nobody
// decides their own proposal; unapproved proposals lapse.
import { api, seg } from './api.js';
import type { Proposal, ProposalList } from './api-types.js';
import { h, replace } from './dom.js';
import { dateTime } from './format.js';
import { can } from './permissions.js';
import type { PageContext } from './router.js';
import { actionButton, ask, badge, errorNotice, field, loading, notice, pageHead, report, select, table } from './widgets.js';
import type { Kind } from './widgets.js';

const KIND: Record<string, Kind> = { pending: 'warn', approved: 'ok', rejected: 'bad', expired: 'info', failed: 'bad' };

function change(p: Proposal): HTMLElement {
  const c = p.change;
  const text = c.kind === 'text' ? c.text : JSON.stringify(c.value, null, 2);
  return h('details', null, h('summary', { class: 'small' }, c.kind === 'text' ? 'new config file' : `set ${c.path.join('.')}`), h('pre', { class: 'small mono' }, text));
}

export async function proposalsPage(ctx: PageContext): Promise<void> {
  const me = ctx.session.user;
  const status = select('status', [['pending', 'Waiting'], ['approved', 'Approved'], ['rejected', 'Rejected'], ['expired', 'Expired'], ['failed', 'Failed'], ['', 'All']], ctx.query.get('status') ?? 'pending');
  const box = h('div', { class: 'panel' }, loading());
  const mode = h('div');
  ctx.main.append(pageHead('Proposals', 'four-eyes policy changes', h('span', { class: 'inline-form' }, field('Show', status))), mode, box);

  const decide = async (p: Proposal, verb: 'approve' | 'reject') => {
    const v = await ask({
      title: `${verb === 'approve' ? 'Approve' : 'Reject'}: ${p.summary}`,
      body: h('p', null, `Proposed by ${p.proposer.name}${p.proposer.role ? ` (${p.proposer.role})` : ''}${p.reason ? `: “${p.reason}”` : ''}.`, verb === 'approve' ? ' It applies at once.' : ' Nothing changes.'),
      reason: { label: 'Your reason', min: 3 }, confirm: verb === 'approve' ? 'Approve' : 'Reject', danger: verb === 'reject',
    });
    if (!v) return;
    const r = await api.post<Proposal>(`/proposals/${seg(p.id)}/${verb}`, { reason: v.reason });
    if (report(r, verb === 'approve' ? 'Approved: the change is in force.' : 'Rejected.')) await load();
  };

  const actions = (p: Proposal) => {
    if (p.status !== 'pending' || !can(me.role, 'approveProposal')) return null;
    if (p.proposer.name === me.name) return h('span', { class: 'small muted' }, 'your proposal: another person decides');
    return h('div', { class: 'row' },
      actionButton('Approve', () => decide(p, 'approve'), { class: 'small primary', data: { action: 'approve', id: p.id } }),
      actionButton('Reject', () => decide(p, 'reject'), { class: 'small danger', data: { action: 'reject', id: p.id } }));
  };

  const load = async () => {
    const r = await api.get<ProposalList>('/proposals', { status: status.value || undefined });
    if (ctx.left()) return;
    if (!r.ok) return replace(box, errorNotice(r));
    replace(mode, r.value.fourEyes ? null : notice('info', 'Four-eyes mode is off (governance.fourEyes): changes apply at once. Proposals made earlier are listed here.'));
    replace(box, table<Proposal>([
      { head: 'Proposed', cell: (p) => [dateTime(p.createdAt), h('div', { class: 'small muted' }, `lapses ${dateTime(p.expiresAt)}`)] },
      { head: 'Change', cell: (p) => [h('strong', null, p.summary), change(p)], class: 'break' },
      { head: 'By', cell: (p) => [p.proposer.name, h('div', { class: 'small muted' }, p.proposer.role ?? ''), p.reason ? h('div', { class: 'small' }, `“${p.reason}”`) : null] },
      { head: 'Status', cell: (p) => [badge(KIND[p.status] ?? '', p.status), p.decidedBy ? h('div', { class: 'small' }, `${p.decidedBy.name}, ${dateTime(p.decidedAt)}`) : null,
        p.decisionReason ? h('div', { class: 'small' }, `“${p.decisionReason}”`) : null, p.error ? h('div', { class: 'small error' }, p.error) : null] },
      { head: '', cell: actions },
    ], r.value.items, 'No proposals.', { class: 'proposals' }));
  };
  status.addEventListener('change', () => void load());
  ctx.onLeave(ctx.live.on('proposals', () => void load()));
  await load();
}
