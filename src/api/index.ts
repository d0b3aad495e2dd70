export * from './config.js';
export * from './schemas/index.js';
export { createApiStage, blockPageAddresses, packageVersion } from './api-stage.js';
// The apps themselves (buildAdminApp, buildBlockApp, createApiDeps) import daemon values and are
// not exported here: see api-stage.ts. Tests import them from their files.
export type { AdminAppOptions } from './admin-app.js';
export type { ApiDeps } from './api-deps.js';
export { adminTls, tlsPaths } from './tls.js';
export type { TlsMaterial } from './tls.js';
export { SESSION_COOKIE, CSRF_COOKIE } from './security.js';
