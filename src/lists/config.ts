import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { CategoryName, Duration, ListSourceText, OneOf, Size } from '../schema/index.js';

export const LIST_FORMATS = ['ut1', 'domains', 'hosts', 'adblock'] as const;

export const ListSourceSchema = Type.Object({
  name: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,31}$', description: 'Short unique name (folder name of its cache under dataDir/lists)' }),
  format: OneOf(LIST_FORMATS, { description: 'ut1: category folders (dir or .tar.gz); domains: one name a line; hosts: hosts-file lines; adblock: ||domain^ rules' }),
  source: ListSourceText({ description: 'A local file/folder or an http(s) URL' }),
  category: Type.Optional(CategoryName({ description: 'The category of every name in this list (required unless format is ut1)' })),
  kind: Type.Optional(OneOf(['block', 'allow'] as const, { description: 'allow makes the category an allow list (white list); ut1 takes it from each usage file' })),
  categories: Type.Optional(Type.Array(CategoryName(), { description: 'ut1 only: compile just these categories (saves memory on small Pis)' })),
  update: Duration({ default: '24h', description: 'How often a URL source is re-fetched (conditional GET)' }),
  timeout: Duration({ default: '120s', description: 'Give up a download after this long' }),
  maxSize: Size({ default: '200MB', description: 'Refuse a download larger than this (the last good copy is kept)' }),
}, { additionalProperties: false });

export type ListSource = Static<typeof ListSourceSchema>;
