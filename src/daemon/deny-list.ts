// Adds a reported site to the school's own deny list: written to the list file (so the next
// compile has it) and laid over the running index (so the very next query is blocked).
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../store/index.js';
import type { StateHolder } from './state.js';
import { withIndex } from './state.js';
import type { EventBus } from './events.js';

export type DenyResult = { ok: true; category: string; list: string } | { ok: false; message: string };

export class DenyList {
  /** added since the running index was compiled */
  private added: { name: string; category: string }[] = [];

  constructor(private readonly state: StateHolder, private readonly events: EventBus, private readonly now: () => number) {
    // A fresh index from disk lists what the file has: keep laying over only what it lacks.
    events.on('index:swapped', () => {
      const index = this.state.current.index;
      this.added = this.added.filter((a) => !index.categoriesOf(a.name).includes(a.category));
      if (this.added.length > 0) this.state.swap(withIndex(this.state.current, index.withAdditions(this.added), this.now()));
    });
  }

  async add(domain: string): Promise<DenyResult> {
    const { config, index } = this.state.current;
    const list = config.lists.find((l) => l.name === config.reports.list);
    if (!list || list.format !== 'domains' || /^https?:\/\//i.test(list.source)) return { ok: false, message: 'no local deny list is configured (reports.list)' };
    const category = list.category ?? list.name;
    if (index.categoryId(category) === undefined) return { ok: false, message: `the index has no category "${category}" yet: update the lists first` };
    const text = await readFile(list.source, 'utf8').catch(() => '');
    const lines = text.split(/\r?\n/).map((l) => l.trim().toLowerCase());
    if (!lines.includes(domain)) {
      await writeFileAtomic(list.source, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${domain}\n`);
    }
    this.added.push({ name: domain, category });
    this.state.swap(withIndex(this.state.current, index.withAdditions(this.added), this.now()));
    return { ok: true, category, list: list.name };
  }
}
