// Packet metadata: TLS SNI, HTTP Host and QUIC Initials read from a tcpdump stream on the LAN,
// decided by the same policy as DNS, blocked through the firewall's flow-block set.
export * from './config.js';
export { createTrafficStage } from './traffic-stage.js';
export type { TrafficStage, TrafficStageOptions } from './traffic-stage.js';
export { FlowInspector } from './flow-inspector.js';
export type { Device, InspectorDeps } from './flow-inspector.js';
export { readPcap, readPcapFile, readPcapRecords, readPcapFileRecords } from './pcap-source.js';
export { captureFilter } from './capture.js';
export { FlowBytes, flowKey, parseConntrackLine } from './flow-bytes.js';
export type { ByteCounterStatus, FlowBytesOptions } from './flow-bytes.js';
