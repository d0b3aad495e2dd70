// The daemon's stages in start order. Each entry says why it sits where it does.
import type { StageFactory } from './daemon/index.js';

export const DAEMON_STAGES: readonly StageFactory[] = [];
