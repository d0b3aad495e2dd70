// Which controls to draw, read from the API's own route table (src/api/schemas/routes.ts): a
// button appears only when the signed-in role may call the route behind it, so a viewer sees no
// edit control at all, and the UI cannot drift from what the server enforces (the server still
// answers 403 to anything else).
import { ROUTES } from '../../src/api/schemas/routes.js';
import type { Role, RouteName } from './api-types.js';

export type { Role };

export function can(role: Role | undefined, route: RouteName): boolean {
  if (role === undefined) return false;
  const access = ROUTES[route].access as 'public' | readonly Role[];
  return access === 'public' || access.includes(role);
}

export const ROLES: readonly Role[] = ['technician', 'safeguarding', 'viewer'];
