// The frame around every page: navigation grouped by what a technician does, who is signed in,
// a live-connection dot, and on a phone a menu button that opens the navigation as a drawer.
import { api } from './api.js';
import { h, replace } from './dom.js';
import type { LiveFeed } from './live.js';
import type { AppSession, PageDef } from './router.js';

const SECTIONS: PageDef['section'][] = ['Overview', 'Filtering', 'People', 'Records', 'Appliance'];

export interface Shell {
  root: HTMLElement;
  main: HTMLElement;
  setCurrent(page: PageDef): void;
  /** a small count beside a nav entry (open requests, open incidents) */
  setBadge(path: string, n: number): void;
}

export function buildShell(pages: readonly PageDef[], session: AppSession, live: LiveFeed, onLogout: () => void): Shell {
  const role = session.user.role;
  const visible = pages.filter((p) => p.visible(role));
  const links = new Map<string, HTMLAnchorElement>();
  const badges = new Map<string, HTMLSpanElement>();
  const nav = h('nav', { aria: { label: 'Main' } }, SECTIONS.map((s) => {
    const inSection = visible.filter((p) => p.section === s);
    if (inSection.length === 0) return null;
    return [h('div', { class: 'nav-section', role: 'presentation' }, s), inSection.map((p) => {
      const badge = h('span', { class: 'badge', hidden: true });
      badges.set(p.path, badge);
      const a = h('a', { href: `#${p.path}`, onclick: () => root.classList.remove('nav-open') }, p.title, badge);
      links.set(p.path, a);
      return a;
    })];
  }));
  const liveDot = h('span', { class: 'dot', title: 'live updates', aria: { label: 'live updates disconnected' } });
  live.onState((up) => {
    liveDot.className = `dot ${up ? 'dot-ok' : 'dot-bad'}`;
    liveDot.setAttribute('aria-label', up ? 'live updates connected' : 'live updates disconnected');
  });
  const logout = h('button', { type: 'button', class: 'small', onclick: async () => {
    await api.post('/logout');
    onLogout();
  } }, 'Sign out');
  const side = h('aside', { class: 'side', id: 'side' },
    h('div', { class: 'brand' }, 'schoolgate', liveDot),
    nav,
    h('div', { class: 'who' },
      h('div', null, h('strong', { class: 'user-name' }, session.user.name)),
      h('div', { class: 'user-role' }, session.user.role, session.fourEyes ? ' · four-eyes mode' : ''),
      session.version ? h('div', { class: 'small' }, `version ${session.version}`) : null,
      h('div', { class: 'row' }, logout)));
  const menu = h('button', { type: 'button', aria: { controls: 'side', expanded: 'false' }, onclick: () => {
    const open = root.classList.toggle('nav-open');
    menu.setAttribute('aria-expanded', String(open));
  } }, '☰ Menu');
  const title = h('strong', null, 'schoolgate');
  const main = h('main', { class: 'main', id: 'main', tabindex: -1 });
  const root = h('div', { class: 'shell' },
    h('a', { class: 'skip', href: '#main', onclick: (ev) => {
      ev.preventDefault();
      main.focus();
    } }, 'Skip to content'),
    h('div', { class: 'topbar' }, menu, title),
    side, main);
  return {
    root, main,
    setCurrent(page) {
      for (const [path, a] of links) {
        if (path === page.path) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
      }
      replace(title, page.title);
    },
    setBadge(path, n) {
      const b = badges.get(path);
      if (!b) return;
      b.hidden = n <= 0;
      replace(b, String(n));
    },
  };
}
