// The block page: what a pupil sees instead of a blocked site. Says what was blocked and why
// (the decision's own reason, never rebuilt here), lets them ask for access, and shows their
// request's answer on reload. Pure: data in, HTML out; everything reflected is escaped.
import { escapeHtml, page } from '../portal/index.js';

export interface BlockView {
  /** the blocked name, or undefined when the Host header is not a domain name */
  domain?: string;
  /** the Host header as sent (shown escaped when it is not a name) */
  host: string;
  blocked: boolean;
  group?: string;
  category?: string;
  /** describeDecision(): "blocked for this group (category gambling)" */
  why?: string;
  locked: boolean;
  request?: { status: 'open' | 'approved' | 'declined'; createdAt: string; decision?: string; expiresAt?: string };
  /** after a POST: the form's problem */
  error?: string;
  school: string;
}

const when = (iso: string) => escapeHtml(iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC'));

function requestPart(v: BlockView): string {
  const r = v.request;
  if (r?.status === 'open') return `<p class="ok" role="status">Your request was sent (${when(r.createdAt)}). The school's technician will look at it: reload this page to see the answer.</p>`;
  if (r?.status === 'approved') return `<p class="ok" role="status">Your request was approved${r.expiresAt ? ` until ${when(r.expiresAt)}` : ''}. Reload the page in a few seconds${r.decision ? ` (${escapeHtml(r.decision)})` : ''}.</p>`;
  const declined = r?.status === 'declined' ? `<p class="error" role="status">Your last request was declined${r.decision ? `: ${escapeHtml(r.decision)}` : ''}.</p>` : '';
  if (v.locked) return `${declined}<p class="note">This category is locked under the school's e-safety policy: nobody can unblock it.</p>`;
  return `${declined}${v.error ? `<p class="error" role="alert">${escapeHtml(v.error)}</p>` : ''}
<details${v.error ? ' open' : ''}><summary>Ask for access</summary><form method="post" action="/requests">
<input type="hidden" name="domain" value="${escapeHtml(v.domain ?? '')}">
<label for="name">Your name (optional)</label><input id="name" name="name" maxlength="100" autocomplete="name">
<label for="reason">Why do you need this site?</label><textarea id="reason" name="reason" required minlength="3" maxlength="500" rows="3"></textarea>
<button type="submit">Send request</button></form></details>`;
}

export function blockPage(v: BlockView): string {
  if (!v.domain) {
    return page('Blocked', `<h1>This page is blocked</h1><p>The address <code>${escapeHtml(v.host.slice(0, 300))}</code> is not available on the ${escapeHtml(v.school)} network.</p>
<p class="note"><a href="/report">Report a site</a> that should be blocked.</p>`);
  }
  const name = `<strong>${escapeHtml(v.domain)}</strong>`;
  if (!v.blocked) {
    return page('Not blocked now', `<h1>${name} is not blocked for you now</h1><p>${escapeHtml(v.why ?? '')}</p>
<p>Your device may still remember the old answer: reload the page in a few seconds.</p>`);
  }
  const facts = [
    v.category ? `<dt>Category</dt><dd>${escapeHtml(v.category)}</dd>` : '',
    v.group ? `<dt>Your group</dt><dd>${escapeHtml(v.group)}</dd>` : '',
    v.why ? `<dt>Why</dt><dd>${escapeHtml(v.why)}</dd>` : '',
  ].join('');
  return page(`Blocked: ${v.domain}`, `<h1>This site is blocked</h1><p>${name} is blocked on the ${escapeHtml(v.school)} network.</p>
<dl>${facts}</dl>${requestPart(v)}
<p class="note">Filtering follows the school's e-safety policy. <a href="/report">Report a site</a> that should be blocked but is not.</p>`);
}
