// Set element updates: the dynamic changes (a learned endpoint, a device over quota, an override
// lifting a block) that go to the kernel without a reload. Pure text for `nft -f`.
import { TABLE_REF, setNames } from './nft-render.js';
import type { BypassPlan, FirewallPlan } from './plan.js';
import { classId, groupMark } from './plan.js';

const v6 = (a: string) => a.includes(':');

export function addElements(set: string, items: readonly string[]): string[] {
  return items.length === 0 ? [] : [`add element ${TABLE_REF} ${set} { ${items.join(', ')} }`];
}

export function deleteElements(set: string, items: readonly string[]): string[] {
  return items.length === 0 ? [] : [`delete element ${TABLE_REF} ${set} { ${items.join(', ')} }`];
}

/** Learn (or extend) addresses in a category's bypass sets. `refresh` ones exist already. */
export function renderLearn(b: BypassPlan, fresh: readonly { address: string; seconds: number }[], refresh: readonly { address: string; seconds: number }[]): string[] {
  const out: string[] = [];
  for (const family of [false, true]) {
    const set = family ? setNames.bypass6(b) : setNames.bypass4(b);
    const timed = (l: { address: string; seconds: number }) => `${l.address} timeout ${Math.max(1, Math.ceil(l.seconds))}s`;
    const f = fresh.filter((l) => v6(l.address) === family);
    const r = refresh.filter((l) => v6(l.address) === family);
    // A timeout cannot be changed in place: add (a no-op if present, so the delete cannot fail
    // on an element the kernel just expired), delete, add again — one transaction.
    out.push(...addElements(set, r.map((l) => l.address)), ...deleteElements(set, r.map((l) => l.address)));
    out.push(...addElements(set, [...f, ...r].map(timed)));
  }
  return out;
}

/** Listed (static) addresses changed with a new index. */
export function renderListedDiff(b: BypassPlan, added: readonly string[], removed: readonly string[]): string[] {
  const out: string[] = [];
  for (const family of [false, true]) {
    const set = family ? setNames.bypass6(b) : setNames.bypass4(b);
    const rm = removed.filter((a) => v6(a) === family);
    out.push(...addElements(set, rm), ...deleteElements(set, rm));
    out.push(...addElements(set, added.filter((a) => v6(a) === family)));
  }
  return out;
}

/** Replaces which groups block a category, and which clients are exempt (flush + add: atomic). */
export function renderBlocking(plan: FirewallPlan, epoch: number, b: BypassPlan, groupIds: readonly number[], exempt: { v4: readonly string[]; v6: readonly string[]; macs: readonly string[] }): string[] {
  const marks = groupIds.map((id) => plan.groups.find((g) => g.id === id)).filter((g) => g !== undefined).map((g) => `0x${groupMark(epoch, g).toString(16)}`);
  return [
    `flush set ${TABLE_REF} ${setNames.blocking(b)}`, ...addElements(setNames.blocking(b), marks),
    `flush set ${TABLE_REF} ${setNames.exempt4(b)}`, ...addElements(setNames.exempt4(b), exempt.v4),
    `flush set ${TABLE_REF} ${setNames.exempt6(b)}`, ...addElements(setNames.exempt6(b), exempt.v6),
    `flush set ${TABLE_REF} ${setNames.exemptMac(b)}`, ...addElements(setNames.exemptMac(b), exempt.macs),
  ];
}

export function renderOverQuotaAdd(devices: readonly { address: string; minor: number }[]): string[] {
  return [
    ...addElements(setNames.overQuota4, devices.filter((d) => !v6(d.address)).map((d) => `${d.address} : ${classId(d.minor)}`)),
    ...addElements(setNames.overQuota6, devices.filter((d) => v6(d.address)).map((d) => `${d.address} : ${classId(d.minor)}`)),
  ];
}

export function renderOverQuotaDelete(addresses: readonly string[]): string[] {
  return [
    ...deleteElements(setNames.overQuota4, addresses.filter((a) => !v6(a))),
    ...deleteElements(setNames.overQuota6, addresses.filter((a) => v6(a))),
  ];
}

/** A device → server address block with a timeout (a blocked SNI/Host; traffic stage). */
export function renderFlowBlock(client: string, server: string, seconds: number): string[] {
  if (v6(client) !== v6(server)) return [];
  const set = v6(client) ? setNames.flowBlock6 : setNames.flowBlock4;
  const s = Math.max(1, Math.ceil(seconds));
  // add + delete + add: a pair already there gets its full timeout again (see renderLearn)
  return [...addElements(set, [`${client} . ${server}`]), ...deleteElements(set, [`${client} . ${server}`]), ...addElements(set, [`${client} . ${server} timeout ${s}s`])];
}
