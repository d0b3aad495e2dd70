// Building the DOM without HTML strings: every piece of data becomes a text node or an attribute
// value, so a domain like `<script>alert(1)</script>.example` shows as text and never runs. The
// lint config forbids innerHTML/outerHTML/insertAdjacentHTML in web-ui/ so this stays the only way.

export type Child = Node | string | number | null | undefined | false | readonly Child[];

type Handler<E extends Event = Event> = (ev: E) => void;

export interface Attrs {
  class?: string;
  id?: string;
  title?: string;
  role?: string;
  type?: string;
  name?: string;
  value?: string;
  placeholder?: string;
  for?: string;
  href?: string;
  min?: string | number;
  max?: string | number;
  step?: string | number;
  maxlength?: number;
  minlength?: number;
  pattern?: string;
  autocomplete?: string;
  inputmode?: string;
  required?: boolean;
  disabled?: boolean;
  checked?: boolean;
  selected?: boolean;
  hidden?: boolean;
  multiple?: boolean;
  readonly?: boolean;
  tabindex?: number;
  scope?: string;
  colspan?: number;
  accept?: string;
  rows?: number;
  list?: string;
  download?: string;
  /** data-* and aria-* attributes, written as given */
  data?: Record<string, string>;
  aria?: Record<string, string>;
  onclick?: Handler<MouseEvent>;
  onsubmit?: Handler<SubmitEvent>;
  oninput?: Handler;
  onchange?: Handler;
  onkeydown?: Handler<KeyboardEvent>;
}

const BOOLEAN = new Set(['required', 'disabled', 'checked', 'selected', 'hidden', 'multiple', 'readonly']);

function append(el: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child as readonly Child[]) append(el, c);
  } else if (child instanceof Node) {
    el.appendChild(child);
  } else {
    el.appendChild(document.createTextNode(String(child)));
  }
}

/** `h('td', {class: 'num'}, count)`: an element with attributes and text/element children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, v] of Object.entries(attrs)) {
      if (v === undefined || v === null) continue;
      if (key === 'data' || key === 'aria') {
        for (const [k, text] of Object.entries(v as Record<string, string>)) el.setAttribute(`${key}-${k}`, text);
      } else if (key.startsWith('on') && typeof v === 'function') {
        el.addEventListener(key.slice(2), v as EventListener);
      } else if (key === 'href') {
        // Only our own routes and API paths: never a data-supplied URL scheme.
        const href = String(v);
        if (href.startsWith('#') || href.startsWith('/')) el.setAttribute('href', href);
      } else if (BOOLEAN.has(key)) {
        if (v) el.setAttribute(key, '');
        if (key === 'checked' || key === 'selected') (el as unknown as Record<string, boolean>)[key] = Boolean(v);
      } else if (key === 'value') {
        (el as unknown as { value: string }).value = String(v);
        el.setAttribute('value', String(v));
      } else {
        el.setAttribute(key, String(v));
      }
    }
  }
  for (const c of children) append(el, c);
  return el;
}

/** Appends children (text, elements, nothing) to an element. */
export function add(el: Element, ...children: Child[]): void {
  for (const c of children) append(el, c);
}

/** Replaces an element's children. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  for (const c of children) append(el, c);
}
