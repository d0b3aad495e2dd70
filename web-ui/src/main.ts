// Boot: one GET /session decides between first-run setup, sign-in and the app. A 401 from any
// later call (the session expired, or was ended elsewhere) brings the sign-in page back.
import './app.css';
import { api, setCsrfToken, setUnauthorisedHandler } from './api.js';
import type { SessionInfo, Status } from './api-types.js';
import { h, replace } from './dom.js';
import { LiveFeed } from './live.js';
import { loginPage, setupPage } from './page-sign-in.js';
import { PAGES } from './pages.js';
import { Router } from './router.js';
import type { AppSession } from './router.js';
import { buildShell } from './shell.js';

const root = document.getElementById('app') as HTMLElement;
let stopApp: (() => void) | undefined;
let booting = false;

async function boot(message?: string): Promise<void> {
  // Several calls can answer 401 at once when a session ends: boot once.
  if (booting) return;
  booting = true;
  try {
    await show(message);
  } finally {
    booting = false;
  }
}

async function show(message?: string): Promise<void> {
  stopApp?.();
  stopApp = undefined;
  const r = await api.get<SessionInfo>('/session');
  if (!r.ok) {
    replace(root, h('div', { class: 'center-card' }, h('div', { class: 'notice bad', role: 'alert' }, `Cannot reach the appliance: ${r.message}`),
      h('button', { type: 'button', onclick: () => void boot() }, 'Try again')));
    return;
  }
  const s = r.value;
  setCsrfToken(s.csrfToken);
  if (s.setupNeeded) return setupPage(root, () => void boot());
  if (!s.authenticated || !s.role) return loginPage(root, () => void boot(), message);
  startApp({ user: { name: s.user ?? 'you', role: s.role }, fourEyes: s.fourEyes, version: s.version });
}

function startApp(session: AppSession): void {
  const live = new LiveFeed();
  const shell = buildShell(PAGES, session, live, () => void boot('You have signed out.'));
  replace(root, shell.root);
  const router = new Router(PAGES, session, shell.main, live, (p) => shell.setCurrent(p));
  // Counts beside the nav entries: what waits for someone.
  const badges = async () => {
    const st = await api.get<Status>('/status');
    if (!st.ok) return;
    session.version ??= st.value.version;
    shell.setBadge('/requests', st.value.requests.open);
    shell.setBadge('/incidents', st.value.incidents.open);
    shell.setBadge('/proposals', st.value.proposals.pending);
  };
  void badges();
  const timer = setInterval(() => void badges(), 30_000);
  const offs = [
    live.on('incident', () => void badges()),
    live.on('requests', (e) => shell.setBadge('/requests', e.open)),
    live.on('proposals', (e) => shell.setBadge('/proposals', e.pending)),
    live.on('stats', (e) => shell.setBadge('/incidents', e.openIncidents)),
  ];
  router.start();
  stopApp = () => {
    clearInterval(timer);
    for (const off of offs) off();
    router.stop();
    live.close();
  };
}

// Only a running app goes back to sign-in: a late 401 from a call the old app made (after sign
// out) must not redraw the sign-in form under someone typing in it.
setUnauthorisedHandler(() => {
  if (stopApp) void boot('Your session has ended: please sign in again.');
});
void boot();
