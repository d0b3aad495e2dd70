// The portal's pages: small, no external assets, everything reflected escaped. Pure functions
// from data to HTML.

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1d2733}
main{max-width:30rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 2px 12px #0002}
h1{font-size:1.4rem;margin-top:0}label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input,textarea,select{width:100%;box-sizing:border-box;padding:.6rem;font:inherit;border:1px solid #9aa5b1;border-radius:6px}
button{margin-top:1rem;padding:.6rem 1.2rem;font:inherit;border:0;border-radius:6px;background:#1f6feb;color:#fff;cursor:pointer}
.note{color:#52606d;font-size:.9rem}.error{color:#b42318;font-weight:600}.ok{color:#067647;font-weight:600}
details{margin-top:1.5rem}a{color:#1f6feb}`;

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export interface PortalView {
  school: string;
  signedIn?: { user: string; until: string };
  error?: string;
  staffLogin: boolean;
}

export function portalPage(v: PortalView): string {
  if (v.signedIn) {
    return page('Signed in', `<h1>You are signed in</h1><p class="ok">Signed in as ${escapeHtml(v.signedIn.user)} until ${escapeHtml(v.signedIn.until)}.</p>
<p class="note">This network is filtered under the school's e-safety policy. <a href="/report">Report a site</a> that should be blocked.</p>`);
  }
  return page(`${v.school}: sign in`, `<h1>Welcome to ${escapeHtml(v.school)}</h1>
<p>To use this network, sign in with the visitor code the office gave you.</p>
${v.error ? `<p class="error" role="alert">${escapeHtml(v.error)}</p>` : ''}
<form method="post" action="/portal/login"><label for="code">Visitor code</label>
<input id="code" name="code" autocomplete="one-time-code" autocapitalize="characters" required maxlength="20">
<button type="submit">Sign in</button></form>
${v.staffLogin ? `<details><summary>Staff sign-in</summary><form method="post" action="/portal/login">
<label for="username">User name</label><input id="username" name="username" autocomplete="username" required maxlength="32">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required maxlength="200">
<button type="submit">Sign in</button></form></details>` : ''}
<p class="note">Use of this network is filtered and logged under the school's e-safety policy. <a href="/report">Report a site</a>.</p>`);
}

export function reportPage(v: { sent?: boolean; error?: string; domain?: string }): string {
  return page('Report a site', `<h1>Report a site that should be blocked</h1>
${v.sent ? '<p class="ok">Thank you. The school\'s technician will look at it.</p>' : ''}
${v.error ? `<p class="error" role="alert">${escapeHtml(v.error)}</p>` : ''}
<form method="post" action="/report"><label for="domain">Site (for example example.com)</label>
<input id="domain" name="domain" required maxlength="253" value="${escapeHtml(v.domain ?? '')}">
<label for="category">What kind of site is it?</label><select id="category" name="category">
<option value="">Not sure</option><option>adult</option><option>gambling</option><option>violence or extremism</option><option>self-harm</option><option>drugs</option><option>scam or phishing</option><option>other</option></select>
<label for="reason">Why should it be blocked?</label><textarea id="reason" name="reason" required maxlength="500" rows="4"></textarea>
<button type="submit">Send report</button></form>
<p class="note">Reports are anonymous to other pupils; the school sees which device sent them.</p>`);
}
