export { IncidentDetector } from './detector.js';
export type { BlockedAttempt, DetectorRules, IncidentType, Trigger } from './detector.js';
export { IncidentService } from './incident-service.js';
export type { AckResult, Incident, IncidentContext } from './incident-service.js';
export { createNotifier, incidentText } from './notify.js';
export type { NotifyConfig } from './notify.js';
