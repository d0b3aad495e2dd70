export { registerPortalRoutes, portalRedirectHook, portalUrl, PROBE_HOSTS } from './portal-routes.js';
export type { OriginCheck } from './portal-routes.js';
export { escapeHtml, page, portalPage, reportPage } from './pages.js';
