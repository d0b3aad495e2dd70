// The API's own request/response types (src/api/schemas, TypeBox): the UI never redefines them.
// Type-only, so nothing of TypeBox lands in the bundle through this file.
export type {
  SessionInfo, Status, Stats, Leds, Override, OverrideCreate, OverrideExtend, OverrideList, QueryLogPage, LoggedQuery,
  Incident, IncidentList, IncidentAck, AuditEntry, AuditPage, AuditVerify, AccessRequest, RequestList, RequestApprove,
  VisitorCode, VisitorCodeCreate, VisitorsView, PolicyMatrix, CellChange, ScheduleList, ScheduleConfig, GroupConfig,
  Proposal, ProposalList, Applied, Proposed, DeviceList, DeviceImport, DeviceImportResult, ListsView, ListUpdateResult,
  BandwidthView, DeviceUsage, User, UserCreate, TokenCreated, WeeklyReport, GovernorsReport, SelfTestRun, SelfTestList,
  SelfTestLine, SseEvents, Role, RouteName, ErrorBody, Done, Flow, FlowList, TalkerList,
} from '../../src/api/schemas/index.js';
