// Reading tc's text output (iproute2 6.1 prints classes as text even with -j). Pure.
import { TC_MAJOR } from './plan.js';

const MAJOR = TC_MAJOR.toString(16);

/** Minor numbers of our HTB classes in `tc class show dev X` output. */
export function parseTcClasses(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(new RegExp(`^class htb ${MAJOR}:([0-9a-f]+)\\b`, 'gim'))) {
    const minor = parseInt(m[1], 16);
    if (minor > 0) out.push(minor);
  }
  return out;
}

/** Whether `tc qdisc show dev X root` shows our HTB as the root qdisc. */
export function parseTcRootIsOurs(text: string): boolean {
  return new RegExp(`^qdisc htb ${MAJOR}: root\\b`, 'im').test(text);
}
