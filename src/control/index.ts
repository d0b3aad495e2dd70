export { ControlServer, callDaemon, controlPath } from './control-socket.js';
export type { CallResult, Handler } from './control-socket.js';
