export { OverrideService, describeTarget } from './override-service.js';
export type { OverrideServiceDeps, OverrideView, ServiceError, ServiceResult } from './override-service.js';
export { RequestService } from './request-service.js';
export type { AccessRequest, DenyListWriter, RequestInput, Requester } from './request-service.js';
