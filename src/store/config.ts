import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Duration, Size } from '../schema/index.js';

export const QueryLogSchema = Type.Object({
  retention: Duration({ default: '30d', description: 'Query log events older than this are pruned daily' }),
  flushInterval: Duration({ default: '2s', description: 'Query events are written in batches (SD-card care)' }),
  maxStore: Size({ default: '2GB', description: 'Cap on the store; oldest query events go first' }),
}, { additionalProperties: false, default: {} });

export type QueryLogConfig = Static<typeof QueryLogSchema>;
