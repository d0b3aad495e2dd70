// The few building blocks every page uses: page heading, notices and toasts, tables, labelled
// fields, a button that shows it is busy, and a dialog that asks for a reason. All of them build
// DOM through h(), so anything from the API lands as text.
import type { ApiError, ApiResult } from './api.js';
import { h, replace } from './dom.js';
import type { Attrs, Child } from './dom.js';

export type Kind = 'ok' | 'bad' | 'warn' | 'info';

export function pageHead(title: string, sub?: Child, ...actions: Child[]): HTMLElement {
  return h('div', { class: 'page-head' }, h('h1', null, title), sub ? h('span', { class: 'muted' }, sub) : null, actions.length ? h('div', { class: 'actions' }, actions) : null);
}

export const notice = (kind: Kind, ...children: Child[]): HTMLDivElement => h('div', { class: `notice ${kind}`, role: kind === 'bad' ? 'alert' : 'status' }, children);

export function errorText(e: ApiError): string {
  const details = e.errors?.map((x) => (x.path ? `${x.path}: ${x.message}` : x.message)).join('; ');
  return details && !e.message.includes(details) ? `${e.message} (${details})` : e.message;
}

export const errorNotice = (e: ApiError): HTMLDivElement => notice('bad', errorText(e));

let toastBox: HTMLElement | undefined;
export function toast(kind: Kind, message: string, ms = 5000): void {
  if (!toastBox || !toastBox.isConnected) {
    toastBox = h('div', { class: 'toasts', aria: { live: 'polite' } });
    document.body.append(toastBox);
  }
  const n = notice(kind, message);
  toastBox.append(n);
  setTimeout(() => n.remove(), ms);
}

/** Shows the outcome of a write: a toast on success, the API's message on failure. */
export function report<T>(r: ApiResult<T>, success: string): r is { ok: true; status: number; value: T } {
  if (r.ok) toast('ok', success);
  else toast('bad', errorText(r), 9000);
  return r.ok;
}

export interface Column<T> {
  head: string;
  cell: (row: T) => Child;
  class?: string;
}

export function table<T>(columns: readonly Column<T>[], rows: readonly T[], empty = 'Nothing here yet.', attrs: Attrs = {}): HTMLDivElement {
  const body = rows.length === 0
    ? [h('tr', { class: 'empty' }, h('td', { colspan: columns.length }, empty))]
    : rows.map((r) => h('tr', null, columns.map((c) => h('td', { class: c.class, data: { label: c.head } }, c.cell(r)))));
  // On a phone each row becomes a card whose cells carry their column's name (CSS, data-label).
  const cls = `cards${attrs.class ? ` ${attrs.class}` : ''}`;
  return h('div', { class: 'table-wrap' }, h('table', { ...attrs, class: cls }, h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.head)))), h('tbody', null, body)));
}

let fieldSeq = 0;
/** A label tied to its control (by id), with an optional hint under it. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLDivElement {
  if (!control.id) control.id = `f${++fieldSeq}`;
  const hintEl = hint ? h('div', { class: 'hint', id: `${control.id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

export function select(name: string, options: readonly (string | [value: string, label: string])[], value?: string, attrs: Attrs = {}): HTMLSelectElement {
  return h('select', { name, ...attrs }, options.map((o) => {
    const [v, label] = typeof o === 'string' ? [o, o] : o;
    return h('option', { value: v, selected: v === value }, label);
  }));
}

/** A button that disables itself while its action runs (no double submits). */
export function actionButton(label: string, action: () => Promise<unknown>, attrs: Attrs = {}): HTMLButtonElement {
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', async () => {
    if (b.disabled) return;
    b.disabled = true;
    b.setAttribute('aria-busy', 'true');
    try {
      await action();
    } finally {
      b.disabled = false;
      b.removeAttribute('aria-busy');
    }
  });
  return b;
}

/** Values of a form's named controls, as strings (empty ones left out). */
export function formValues(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form).entries()) if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim();
  return out;
}

export interface AskOptions {
  title: string;
  body?: Child;
  /** ask for a reason; the dialog will not close on OK without one of this length */
  reason?: { label: string; min: number; value?: string };
  /** further inputs, appended under the body; read them from the returned form */
  extra?: Child;
  confirm: string;
  danger?: boolean;
}

/** A modal dialog; resolves with the form's values on OK, undefined on cancel. */
export function ask(opts: AskOptions): Promise<Record<string, string> | undefined> {
  return new Promise((resolve) => {
    const reason = opts.reason ? h('textarea', { name: 'reason', rows: 3, required: true, minlength: opts.reason.min, value: opts.reason.value }) : null;
    const err = h('div', { class: 'error', role: 'alert' });
    const form = h('form', { class: 'stack' },
      h('h2', null, opts.title),
      opts.body ?? null,
      opts.extra ?? null,
      reason && opts.reason ? field(opts.reason.label, reason, `at least ${opts.reason.min} characters`) : null,
      err,
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', value: 'cancel', onclick: () => dlg.close('cancel') }, 'Cancel'),
        h('button', { type: 'submit', class: opts.danger ? 'danger' : 'primary' }, opts.confirm)));
    const dlg = h('dialog', { aria: { label: opts.title } }, form);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const values = formValues(form);
      if (opts.reason && (values.reason ?? '').length < opts.reason.min) {
        replace(err, `Please give a reason of at least ${opts.reason.min} characters.`);
        reason?.focus();
        return;
      }
      dlg.close('ok');
      resolve(values);
    });
    dlg.addEventListener('close', () => {
      dlg.remove();
      if (dlg.returnValue !== 'ok') resolve(undefined);
    });
    document.body.append(dlg);
    dlg.showModal();
    (reason ?? form.querySelector<HTMLElement>('input, select, button[type=submit]'))?.focus();
  });
}

export const badge = (kind: Kind | '', label: string): HTMLSpanElement => h('span', { class: `badge ${kind}` }, label);

export const loading = (): HTMLParagraphElement => h('p', { class: 'muted' }, 'Loading…');
