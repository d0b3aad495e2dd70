// A name as the resolver hands it to DomainIndex.lookupWireInto: a real query packet, parsed by
// src/dns/wire.ts (buffer, label offsets, label count).
import dnsPacket from 'dns-packet';
import { newParsedQuery, parseQuery, PARSE } from '../../src/dns/wire.js';

export function wire(name: string): { buf: Uint8Array; offsets: Uint16Array; count: number } {
  const buf = dnsPacket.encode({ type: 'query', id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] });
  const q = newParsedQuery();
  const r = parseQuery(buf, buf.length, q);
  if (r !== PARSE.OK) throw new Error(`${name}: query does not parse (${r})`);
  return { buf, offsets: q.labelOffsets, count: q.labelCount };
}
