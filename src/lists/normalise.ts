// Normalises one list entry to the form DNS queries arrive in: lower-case ASCII (punycode for
// IDN), no trailing dot. Rejects carry a reason so each source can count them.
import { domainToASCII } from 'node:url';
import { isIP } from 'node:net';

export type RejectReason =
  | 'invalid-name'
  | 'too-long'
  | 'label-too-long'
  | 'top-level-only'
  | 'ip-address'
  | 'unsupported-rule'
  | 'line-too-long'
  | 'binary';

export type Normalised = { ok: true; name: string } | { ok: false; reason: RejectReason };

const ASCII_NAME = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;

export function normaliseName(input: string): Normalised {
  let name = input.trim();
  if (name.startsWith('*.')) name = name.slice(2);
  else if (name.startsWith('.')) name = name.slice(1);
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name.length === 0) return { ok: false, reason: 'invalid-name' };
  if (isIP(name) !== 0 || isIP(name.replace(/^\[|\]$/g, '')) !== 0) return { ok: false, reason: 'ip-address' };
  if (/[\u0000-\u001f\u007f\ufffd]/.test(name)) return { ok: false, reason: 'binary' };
  name = name.toLowerCase();
  if (!ASCII_NAME.test(name)) {
    // Only non-ASCII letters make an IDN; ASCII punctuation ("/", ":", " ") is junk, and
    // domainToASCII would silently cut the name at it.
    if (/[^a-z0-9._\-\u0080-\uffff]/.test(name)) return { ok: false, reason: 'invalid-name' };
    // WHATWG's domainToASCII gives '' for names it cannot convert.
    const ascii = domainToASCII(name);
    if (ascii === '' || !ASCII_NAME.test(ascii)) return { ok: false, reason: 'invalid-name' };
    name = ascii;
  }
  if (name.length > 253) return { ok: false, reason: 'too-long' };
  let labelStart = 0;
  for (let i = 0; i <= name.length; i++) {
    if (i === name.length || name.charCodeAt(i) === 46) {
      const len = i - labelStart;
      if (len > 63) return { ok: false, reason: 'label-too-long' };
      if (len === 0) return { ok: false, reason: 'invalid-name' };
      labelStart = i + 1;
    }
  }
  if (!name.includes('.')) return { ok: false, reason: 'top-level-only' };
  return { ok: true, name };
}
