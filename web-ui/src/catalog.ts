// What many forms need to offer choices: the groups, the categories (and which are locked), the
// schedules, and the override rules. Fetched once per page from GET /policy.
import { api } from './api.js';
import type { ApiResult } from './api.js';
import type { PolicyView } from './api-types.js';

export async function loadPolicy(): Promise<ApiResult<PolicyView>> {
  return api.get<PolicyView>('/policy');
}

export const groupNames = (p: PolicyView): string[] => p.groups.map((g) => g.name);

/** Categories a technician may override (locked ones can never be unblocked). */
export const unlockedCategories = (p: PolicyView): string[] => p.categories.filter((c) => !c.locked).map((c) => c.name);
