// The school's device register (from its asset list or MIS export): which user a device belongs
// to and which group that puts it in. CSV with a header `mac,user,group[,class,expires]`.
// Parsing is pure and all-or-nothing: one bad line rejects the file, naming the line.
import { isMac, normaliseMac, parseDate } from '../schema/index.js';

export interface RegisteredDevice {
  mac: string;
  user: string;
  group: string;
  class?: string;
  /** last day (inclusive, "YYYY-MM-DD") the entry applies */
  expires?: string;
}

export interface RegisterError {
  line: number;
  message: string;
}

export type RegisterParse = { ok: true; devices: RegisteredDevice[] } | { ok: false; errors: RegisterError[] };

const REQUIRED = ['mac', 'user', 'group'] as const;
const OPTIONAL = ['class', 'expires'] as const;
const MAX_ROWS = 100_000;

/** RFC 4180 fields of one line (quotes, doubled quotes); undefined when quoting is broken. */
function splitCsvLine(line: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= line.length) return undefined;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      if (i < line.length && line[i] !== ',') return undefined;
      out.push(value);
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma === -1 ? line.length : comma;
      out.push(line.slice(i, end).trim());
      i = end + 1;
    }
  }
  return out;
}

export function parseRegister(text: string, knownGroups: ReadonlySet<string>): RegisterParse {
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  const errors: RegisterError[] = [];
  const header = splitCsvLine(lines[0] ?? '')?.map((h) => h.trim().toLowerCase());
  if (!header || REQUIRED.some((r) => !header.includes(r))) {
    return { ok: false, errors: [{ line: 1, message: `the header must name the columns ${REQUIRED.join(',')} (optional: ${OPTIONAL.join(',')})` }] };
  }
  const unknown = header.filter((h) => !(REQUIRED as readonly string[]).includes(h) && !(OPTIONAL as readonly string[]).includes(h));
  if (unknown.length > 0) return { ok: false, errors: [{ line: 1, message: `unknown column "${unknown[0]}"` }] };
  const col = (name: string) => header.indexOf(name);
  const devices: RegisteredDevice[] = [];
  const seen = new Map<string, number>();
  for (let n = 1; n < lines.length; n++) {
    const raw = lines[n];
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    if (devices.length >= MAX_ROWS) {
      errors.push({ line: n + 1, message: `more than ${MAX_ROWS} devices` });
      break;
    }
    const fail = (message: string) => errors.push({ line: n + 1, message });
    const cells = splitCsvLine(raw);
    if (!cells) {
      fail('unbalanced quotes');
      continue;
    }
    if (cells.length !== header.length) {
      fail(`expected ${header.length} fields, found ${cells.length}`);
      continue;
    }
    const get = (name: string) => (col(name) === -1 ? '' : cells[col(name)].trim());
    const mac = get('mac');
    if (!isMac(mac)) {
      fail(`"${mac}" is not a MAC address`);
      continue;
    }
    const user = get('user');
    if (user === '' || user.length > 100 || /[\u0000-\u001f]/.test(user)) {
      fail('a user name (1–100 characters) is required');
      continue;
    }
    const group = get('group');
    if (!knownGroups.has(group)) {
      fail(`unknown group "${group}"`);
      continue;
    }
    const expires = get('expires');
    if (expires !== '' && !parseDate(expires)) {
      fail(`"${expires}" is not a date (YYYY-MM-DD)`);
      continue;
    }
    const key = normaliseMac(mac);
    const dup = seen.get(key);
    if (dup !== undefined) {
      fail(`MAC ${mac} is already on line ${dup}`);
      continue;
    }
    seen.set(key, n + 1);
    const cls = get('class');
    devices.push({ mac: key, user, group, class: cls || undefined, expires: expires || undefined });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, devices };
}

export interface RegisterDiff {
  added: number;
  changed: number;
  removed: number;
}

export function diffRegister(before: readonly RegisteredDevice[], after: readonly RegisteredDevice[]): RegisterDiff {
  const old = new Map(before.map((d) => [d.mac, JSON.stringify(d)]));
  let added = 0;
  let changed = 0;
  for (const d of after) {
    const prev = old.get(d.mac);
    if (prev === undefined) added++;
    else if (prev !== JSON.stringify(d)) changed++;
    old.delete(d.mac);
  }
  return { added, changed, removed: old.size };
}

/** The entry for a MAC on a local date, if registered and not expired. */
export function registeredOn(register: ReadonlyMap<string, RegisteredDevice>, mac: string | undefined, date: string): RegisteredDevice | undefined {
  if (!mac) return undefined;
  const d = register.get(mac);
  return d && (!d.expires || date <= d.expires) ? d : undefined;
}
