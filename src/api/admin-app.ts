// The admin application: the JSON API under /api/v1, the live event stream, /metrics and the
// built UI. Built without listening, so tests drive it with inject(); the stage gives it its
// servers (one per admin address) through serverFactory.
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyServerFactory } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import { ROUTES } from './schemas/index.js';
import type { ApiDeps } from './api-deps.js';
import { mounter } from './route.js';
import { securityHook } from './security.js';
import { handleError } from './http-errors.js';
import { registerStaticUi } from './static-ui.js';
import { EventHub } from './event-hub.js';
import { registerAuthRoutes } from './routes/auth-routes.js';
import { registerStatusRoutes } from './routes/status-routes.js';
import { registerOverrideRoutes } from './routes/override-routes.js';
import { registerLogRoutes } from './routes/log-routes.js';
import { registerRequestRoutes } from './routes/request-routes.js';
import { registerVisitorRoutes } from './routes/visitor-routes.js';
import { registerPolicyRoutes } from './routes/policy-routes.js';
import { registerDeviceRoutes } from './routes/device-routes.js';
import { registerTrafficRoutes } from './routes/traffic-routes.js';
import { registerUserRoutes } from './routes/user-routes.js';
import { registerReportRoutes } from './routes/report-routes.js';
import { registerLiveRoutes } from './routes/live-routes.js';

export interface AdminAppOptions {
  /** the admin side speaks TLS (HSTS, Secure cookies) */
  https: boolean;
  serverFactory?: FastifyServerFactory;
}

/** Strict CSP: the UI's own files only; no inline script or style, no framing, no plugins. */
export const ADMIN_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  upgradeInsecureRequests: null,
};

export async function buildAdminApp(deps: ApiDeps, opts: AdminAppOptions): Promise<{ app: FastifyInstance; hub: EventHub }> {
  const app = Fastify({
    loggerInstance: deps.ctx.log.child({ stage: 'api' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: false,
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    requestTimeout: 120_000,
    keepAliveTimeout: 10_000,
    routerOptions: { maxParamLength: 200 },
    // Unknown body keys are refused (a typo is an error, not silently dropped); query numbers coerced.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true } },
    ...(opts.serverFactory ? { serverFactory: opts.serverFactory } : {}),
  });
  app.setErrorHandler(handleError);
  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: ADMIN_CSP },
    strictTransportSecurity: opts.https ? { maxAge: 15_552_000, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'same-origin' },
    frameguard: { action: 'deny' },
  });
  // The device register as a bare CSV upload (curl --data-binary @devices.csv).
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, { csv: body }));
  app.addHook('onRequest', securityHook(deps));

  const mount = mounter(app, deps.anonymiser);
  const hub = new EventHub(deps.ctx, deps.anonymiser);
  registerAuthRoutes(mount, deps);
  registerStatusRoutes(mount, deps);
  registerOverrideRoutes(mount, deps);
  registerLogRoutes(mount, deps);
  registerRequestRoutes(mount, deps);
  registerVisitorRoutes(mount, deps);
  registerPolicyRoutes(mount, deps);
  registerDeviceRoutes(mount, deps);
  registerTrafficRoutes(mount, deps);
  registerUserRoutes(mount, deps);
  registerReportRoutes(mount, deps);
  registerLiveRoutes(mount, deps, hub);
  const missing = Object.keys(ROUTES).filter((name) => !mount.mounted.has(name));
  if (missing.length > 0) throw new Error(`routes in the table without a handler: ${missing.join(', ')}`);

  await registerStaticUi(app, deps.uiRoot);
  hub.start();
  app.addHook('onClose', async () => hub.stop());
  return { app, hub };
}
