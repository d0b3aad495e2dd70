// The device register (school asset / MIS export) and its import.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Day } from './common.js';

export const RegisteredDevice = Type.Object({
  mac: Type.String(),
  user: Type.String(),
  group: Type.String(),
  class: Type.Optional(Type.String()),
  expires: Type.Optional(Day('last day the entry applies')),
});

export const DeviceList = Type.Object({
  items: Type.Array(RegisteredDevice),
  /** the configured register file, re-imported when it changes */
  file: Type.Optional(Type.String()),
});
export type DeviceList = Static<typeof DeviceList>;

/** The CSV text (header mac,user,group[,class,expires]); also accepted as a text/csv body. */
export const DeviceImport = Type.Object({
  csv: Type.String({ minLength: 1, maxLength: 20_000_000 }),
  /** a name for the record (e.g. the uploaded file's name) */
  from: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: false });
export type DeviceImport = Static<typeof DeviceImport>;

export const DeviceImportResult = Type.Object({
  ok: Type.Literal(true),
  added: Type.Number(),
  changed: Type.Number(),
  removed: Type.Number(),
  devices: Type.Number(),
});
export type DeviceImportResult = Static<typeof DeviceImportResult>;
