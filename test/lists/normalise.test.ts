import t from 'tap';
import { normaliseName } from '../../src/lists/index.js';

const NAME_253 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;

const cases: { name: string; input: string; want: string | { reason: string } }[] = [
  { name: 'lower-cases', input: 'WWW.Example.COM', want: 'www.example.com' },
  { name: 'drops the trailing dot', input: 'example.com.', want: 'example.com' },
  { name: 'trims spaces and CR', input: '  example.com\r', want: 'example.com' },
  { name: 'wildcard prefix', input: '*.example.com', want: 'example.com' },
  { name: 'leading dot', input: '.example.com', want: 'example.com' },
  { name: 'IDN to punycode', input: 'bücher.example', want: 'xn--bcher-kva.example' },
  { name: 'IDN upper case', input: 'BÜCHER.example', want: 'xn--bcher-kva.example' },
  { name: 'punycode kept', input: 'xn--bcher-kva.example', want: 'xn--bcher-kva.example' },
  { name: 'underscore allowed', input: '_dmarc.example.com', want: '_dmarc.example.com' },
  { name: 'label of 63', input: `${'a'.repeat(63)}.example`, want: `${'a'.repeat(63)}.example` },
  { name: 'label of 64', input: `${'a'.repeat(64)}.example`, want: { reason: 'label-too-long' } },
  { name: 'name of 253', input: NAME_253, want: NAME_253 },
  { name: 'name of 254', input: `x${NAME_253}`, want: { reason: 'too-long' } },
  { name: 'empty label', input: 'a..example', want: { reason: 'invalid-name' } },
  { name: 'IPv4', input: '1.2.3.4', want: { reason: 'ip-address' } },
  { name: 'IPv6', input: '2001:db8::1', want: { reason: 'ip-address' } },
  { name: 'single label', input: 'localhost', want: { reason: 'top-level-only' } },
  { name: 'spaces inside', input: 'exa mple.com', want: { reason: 'invalid-name' } },
  { name: 'control byte', input: 'exa\u0000mple.com', want: { reason: 'binary' } },
  { name: 'replacement char (bad UTF-8)', input: 'exa\ufffdmple.com', want: { reason: 'binary' } },
  { name: 'URL path', input: 'example.com/path', want: { reason: 'invalid-name' } },
  { name: 'empty', input: '', want: { reason: 'invalid-name' } },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const got = normaliseName(c.input);
    if (typeof c.want === 'string') t.same(got, { ok: true, name: c.want });
    else t.same(got, { ok: false, reason: c.want.reason });
  });
}
