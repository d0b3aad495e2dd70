// What many forms need to offer choices: the groups, the categories (and which are locked), the
// schedules, and the override rules. Fetched once per page from GET /policy.
import { api } from './api.js';
import type { ApiResult } from './api.js';
import type { PolicyMatrix } from './api-types.js';

export type { PolicyMatrix };

export async function loadPolicy(): Promise<ApiResult<PolicyMatrix>> {
  return api.get<PolicyMatrix>('/policy');
}

export const groupNames = (p: PolicyMatrix): string[] => p.groups.map((g) => g.name);

/** Block categories a technician may override (locked ones can never be unblocked). */
export const unlockedCategories = (p: PolicyMatrix): string[] => p.categories.filter((c) => !c.locked && c.kind === 'block').map((c) => c.name);

/** The override rules (config `overrides:`): the form's minimum reason and longest preset. */
export const overrideRules = (p: PolicyMatrix): PolicyMatrix['overrides'] => p.overrides;
