// Checks the schema cannot express: references between sections, overlaps, required pairs.
// Pure: the category catalog (what the lists provide) is passed in.
import type { Config } from '../config.js';
import { cidrRange, parseCidr, parseDate, parseIpRange, parseTimeOfDay, normaliseMac } from '../schema/index.js';
import type { CategoryCatalog } from '../lists/index.js';
import type { Path } from './positions.js';

export interface Problem {
  path: Path;
  atKey?: boolean;
  message: string;
}


export function semanticProblems(config: Config, catalog: CategoryCatalog): Problem[] {
  return [
    ...listProblems(config),
    ...groupProblems(config),
    ...categoryProblems(config, catalog),
    ...scheduleProblems(config),
    ...subnetOverlaps(config),
    ...sectionPairs(config),
  ];
}

function listProblems(config: Config): Problem[] {
  const out: Problem[] = [];
  const names = new Set<string>();
  config.lists.forEach((l, i) => {
    if (names.has(l.name)) out.push({ path: ['lists', i, 'name'], message: `list name "${l.name}" is used twice` });
    names.add(l.name);
    if (l.format !== 'ut1' && !l.category) out.push({ path: ['lists', i], message: `a ${l.format} list needs "category"` });
    if (l.format === 'ut1' && l.category) out.push({ path: ['lists', i, 'category'], atKey: true, message: 'a ut1 list takes its categories from its folders; remove "category"' });
    if (l.format === 'ut1' && l.kind) out.push({ path: ['lists', i, 'kind'], atKey: true, message: 'a ut1 list takes block/allow from each usage file; remove "kind"' });
    if (l.format !== 'ut1' && l.categories) out.push({ path: ['lists', i, 'categories'], atKey: true, message: '"categories" only applies to ut1 lists' });
  });
  return out;
}

function groupProblems(config: Config): Problem[] {
  const out: Problem[] = [];
  const names = new Set<string>();
  const defaults: number[] = [];
  const macs = new Map<string, string>();
  config.groups.forEach((g, i) => {
    if (names.has(g.name)) out.push({ path: ['groups', i, 'name'], message: `group name "${g.name}" is used twice` });
    names.add(g.name);
    if (g.default) defaults.push(i);
    g.match.macs.forEach((m, j) => {
      const mac = normaliseMac(m);
      const other = macs.get(mac);
      if (other) out.push({ path: ['groups', i, 'match', 'macs', j], message: `MAC ${m} is already in group "${other}"` });
      else macs.set(mac, g.name);
    });
    const bw = g.bandwidth;
    if (bw && (bw.dailyQuota === undefined) !== (bw.overQuota === undefined)) {
      out.push({ path: ['groups', i, 'bandwidth'], message: 'dailyQuota and overQuota go together' });
    }
  });
  if (defaults.length === 0) out.push({ path: ['groups'], message: 'no group has "default: true": clients outside every match would have no policy' });
  for (const i of defaults.slice(1)) out.push({ path: ['groups', i, 'default'], message: `only one group can be the default (already "${config.groups[defaults[0]].name}")` });
  return out;
}

function categoryProblems(config: Config, catalog: CategoryCatalog): Problem[] {
  const out: Problem[] = [];
  const known = (name: string) => catalog.categories.has(name);
  const unknown = (path: Path, name: string, atKey = false) => {
    if (!known(name) && catalog.complete) out.push({ path, atKey, message: `unknown category "${name}": no list provides it` });
  };
  const locked = new Set(config.locked);
  config.locked.forEach((c, i) => unknown(['locked', i], c));
  config.incidents.categories.forEach((c, i) => unknown(['incidents', 'categories', i], c));
  config.groups.forEach((g, gi) => {
    g.block.forEach((c, i) => unknown(['groups', gi, 'block', i], c));
    g.allow.forEach((c, i) => {
      unknown(['groups', gi, 'allow', i], c);
      if (locked.has(c)) out.push({ path: ['groups', gi, 'allow', i], message: `"${c}" is locked: it cannot be an allow list` });
    });
    for (const [c, schedules] of Object.entries(g.allowDuring)) {
      unknown(['groups', gi, 'allowDuring', c], c, true);
      if (locked.has(c)) out.push({ path: ['groups', gi, 'allowDuring', c], atKey: true, message: `"${c}" is locked: no schedule can allow it` });
      schedules.forEach((s, si) => {
        if (!(s in config.schedules)) out.push({ path: ['groups', gi, 'allowDuring', c, si], message: `unknown schedule "${s}"` });
      });
    }
  });
  return out;
}

function scheduleProblems(config: Config): Problem[] {
  const out: Problem[] = [];
  for (const [name, schedule] of Object.entries(config.schedules)) {
    const windows = Array.isArray(schedule) ? schedule : schedule.windows;
    const base: Path = Array.isArray(schedule) ? ['schedules', name] : ['schedules', name, 'windows'];
    windows.forEach((w, i) => {
      if (parseTimeOfDay(w.from) === parseTimeOfDay(w.to)) out.push({ path: [...base, i], message: `window ${w.from}–${w.to} is empty` });
    });
    if (!Array.isArray(schedule)) {
      for (const key of ['only', 'except'] as const) {
        (schedule[key] ?? []).forEach((c, i) => {
          if (!(c in config.calendar)) out.push({ path: ['schedules', name, key, i], message: `unknown calendar "${c}"` });
        });
      }
    }
  }
  for (const [name, ranges] of Object.entries(config.calendar)) {
    ranges.forEach((r, i) => {
      if (parseDate(r.from) && parseDate(r.to) && r.from > r.to) out.push({ path: ['calendar', name, i], message: `range ends (${r.to}) before it starts (${r.from})` });
    });
  }
  return out;
}

interface Span { family: 4 | 6; first: bigint; last: bigint; path: Path; text: string; group: string }

function subnetOverlaps(config: Config): Problem[] {
  const spans: Span[] = [];
  config.groups.forEach((g, gi) => {
    g.match.subnets.forEach((s, i) => {
      const c = parseCidr(s);
      if (c) spans.push({ ...cidrRange(c), path: ['groups', gi, 'match', 'subnets', i], text: s, group: g.name });
    });
    g.match.ranges.forEach((s, i) => {
      const r = parseIpRange(s);
      if (r) spans.push({ ...r, path: ['groups', gi, 'match', 'ranges', i], text: s, group: g.name });
    });
  });
  const out: Problem[] = [];
  spans.forEach((a, i) => {
    const earlier = spans.slice(0, i).find((b) => b.family === a.family && a.first <= b.last && b.first <= a.last);
    if (earlier) {
      const where = earlier.group === a.group ? 'in the same group' : `of group "${earlier.group}"`;
      out.push({ path: a.path, message: `${a.text} overlaps ${earlier.text} ${where}` });
    }
  });
  return out;
}

function sectionPairs(config: Config): Problem[] {
  const out: Problem[] = [];
  if (config.dns.blocking.answer === 'blockpage' && !config.dns.blocking.address) {
    out.push({ path: ['dns', 'blocking'], message: 'answer "blockpage" needs "address" (the block page IPv4 address)' });
  }
  const leds = config.leds;
  if (leds.backend === 'gpio' && !leds.pins) out.push({ path: ['leds'], message: 'backend "gpio" needs "pins"' });
  if (leds.backend === 'sysfs' && !leds.names) out.push({ path: ['leds'], message: 'backend "sysfs" needs "names"' });
  if (leds.backend === 'file' && !leds.path) out.push({ path: ['leds'], message: 'backend "file" needs "path"' });
  if (config.reports.list) {
    const list = config.lists.find((l) => l.name === config.reports.list);
    if (!list) out.push({ path: ['reports', 'list'], message: `unknown list "${config.reports.list}"` });
    else if (list.format !== 'domains' || /^https?:\/\//i.test(list.source)) out.push({ path: ['reports', 'list'], message: `"${list.name}" must be a local list of format domains (reported sites are added to it)` });
  }
  const groupNames = new Set(config.groups.map((g) => g.name));
  config.portal.groups.forEach((g, i) => {
    if (!groupNames.has(g)) out.push({ path: ['portal', 'groups', i], message: `unknown group "${g}"` });
  });
  if (config.portal.groups.length > 0 && !config.portal.address && !config.dns.blocking.address) {
    out.push({ path: ['portal'], message: 'the portal needs "address" (or dns.blocking.address)' });
  }
  if (config.mode === 'gateway') {
    if (config.network.lan.length === 0) out.push({ path: ['network', 'lan'], message: 'gateway mode needs at least one LAN interface' });
    config.network.lan.forEach((l, i) => {
      if (l === config.network.wan) out.push({ path: ['network', 'lan', i], message: `"${l}" is the WAN interface` });
    });
  }
  return out;
}
