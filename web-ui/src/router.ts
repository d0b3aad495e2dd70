// Hash routes (#/overrides?group=pupils): the daemon serves one index.html and never needs to
// know the UI's paths. Each page renders into <main> and registers what to undo (timers, live
// subscriptions) when the user leaves it.
import type { Role } from './permissions.js';
import type { LiveFeed } from './live.js';

export interface SessionUser {
  name: string;
  role: Role;
}

export interface AppSession {
  user: SessionUser;
  fourEyes: boolean;
  version?: string;
}

export interface PageContext {
  readonly session: AppSession;
  readonly main: HTMLElement;
  readonly query: URLSearchParams;
  readonly live: LiveFeed;
  /** run when the user leaves the page */
  onLeave(fn: () => void): void;
  /** render the current page again (after a change) */
  refresh(): void;
  /** true once the user has left this page: async work should stop drawing */
  readonly left: () => boolean;
}

export interface PageDef {
  path: string;
  title: string;
  /** nav section heading it sits under */
  section: 'Overview' | 'Filtering' | 'People' | 'Records' | 'Appliance';
  visible: (role: Role) => boolean;
  render: (ctx: PageContext) => Promise<void> | void;
}

function currentRoute(): { path: string; query: URLSearchParams } {
  const raw = location.hash.replace(/^#/, '') || '/dashboard';
  const [path, qs] = raw.split('?');
  return { path: path || '/dashboard', query: new URLSearchParams(qs ?? '') };
}

export function go(path: string, query?: Record<string, string>): void {
  const qs = query ? new URLSearchParams(query).toString() : '';
  location.hash = `#${path}${qs ? `?${qs}` : ''}`;
}

export class Router {
  private leaveFns: (() => void)[] = [];
  private generation = 0;

  constructor(
    private readonly pages: readonly PageDef[],
    private readonly session: AppSession,
    private readonly main: HTMLElement,
    private readonly live: LiveFeed,
    private readonly onNavigate: (page: PageDef) => void,
  ) {}

  start(): void {
    window.addEventListener('hashchange', this.render);
    this.render();
  }

  stop(): void {
    window.removeEventListener('hashchange', this.render);
    this.leave();
  }

  private leave(): void {
    for (const fn of this.leaveFns.splice(0)) {
      try {
        fn();
      } catch {
        // a page's cleanup failing must not stop the next page from drawing
      }
    }
  }

  readonly render = (): void => {
    this.leave();
    const gen = ++this.generation;
    const { path, query } = currentRoute();
    const role = this.session.user.role;
    const page = this.pages.find((p) => p.path === path && p.visible(role)) ?? this.pages.find((p) => p.visible(role));
    if (!page) return;
    this.main.replaceChildren();
    document.title = `${page.title} · schoolgate`;
    this.onNavigate(page);
    const ctx: PageContext = {
      session: this.session, main: this.main, query, live: this.live,
      onLeave: (fn) => this.leaveFns.push(fn),
      refresh: () => {
        if (gen === this.generation) this.render();
      },
      left: () => gen !== this.generation,
    };
    void Promise.resolve(page.render(ctx)).catch((err: unknown) => {
      if (gen !== this.generation) return;
      const p = document.createElement('p');
      p.className = 'notice bad';
      p.textContent = `This page failed to draw: ${err instanceof Error ? err.message : String(err)}`;
      this.main.append(p);
    });
    // Focus the page heading so keyboard and screen-reader users land on the new page.
    this.main.focus({ preventScroll: true });
  };
}
