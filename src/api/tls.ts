// The admin UI's TLS. `auto`: a self-signed certificate made on first start and kept under
// dataDir/tls (key 0600, written atomically), reused on every later start, and made again
// only when it nears expiry or no longer names the admin addresses. `{cert, key}`: the
// school's own files. `off`: plain HTTP (lab only). EC P-256: fast to make on a Pi, and every
// browser takes it.
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { AdminConfig } from './config.js';
import { parseHostPort } from '../schema/index.js';
import { writeFileAtomic } from '../store/index.js';

export interface TlsMaterial {
  key: string;
  cert: string;
  /** SHA-256 fingerprint, for the technician to compare with the browser's warning */
  fingerprint: string;
  source: 'generated' | 'reused' | 'configured';
  validTo: string;
}

export type TlsResult = { ok: true; tls: TlsMaterial | undefined } | { ok: false; error: string };

const RENEW_BEFORE_MS = 30 * 86_400_000;
const VALID_DAYS = 825;

export const tlsPaths = (dataDir: string) => ({ dir: join(dataDir, 'tls'), cert: join(dataDir, 'tls', 'admin.crt'), key: join(dataDir, 'tls', 'admin.key') });

export async function adminTls(admin: AdminConfig, dataDir: string, now = Date.now()): Promise<TlsResult> {
  if (admin.tls === 'off') return { ok: true, tls: undefined };
  if (typeof admin.tls === 'object') {
    try {
      const [cert, key] = await Promise.all([readFile(admin.tls.cert, 'utf8'), readFile(admin.tls.key, 'utf8')]);
      const x = new X509Certificate(cert);
      return { ok: true, tls: { cert, key, fingerprint: x.fingerprint256, source: 'configured', validTo: new Date(x.validTo).toISOString() } };
    } catch (err) {
      return { ok: false, error: `admin.tls: cannot read the certificate or key: ${(err as Error).message}` };
    }
  }
  const names = certificateNames(admin.listen);
  const paths = tlsPaths(dataDir);
  const kept = await readKept(paths, names, now);
  if (kept) return { ok: true, tls: kept };
  try {
    // Loaded only when a certificate is made (it is heavy, and every CLI verb loads this folder).
    // Through `default` (module.exports): in the esbuild bundle a CommonJS module's dynamic import
    // has no named exports, only Node's own loader guesses them.
    const { default: selfsigned } = await import('selfsigned');
    const made = await selfsigned.generate([{ name: 'commonName', value: names.dns[0] }, { name: 'organizationName', value: 'schoolgate appliance' }], {
      keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
      notBeforeDate: new Date(now - 86_400_000), notAfterDate: new Date(now + VALID_DAYS * 86_400_000),
      extensions: [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [...names.dns.map((value) => ({ type: 2 as const, value })), ...names.ips.map((ip) => ({ type: 7 as const, ip }))] },
      ],
    });
    await mkdir(paths.dir, { recursive: true, mode: 0o700 });
    // Key first: a crash between the two leaves a key without a certificate, which is remade.
    await writeFileAtomic(paths.key, made.private, 0o600);
    await writeFileAtomic(paths.cert, made.cert, 0o644);
    const x = new X509Certificate(made.cert);
    return { ok: true, tls: { cert: made.cert, key: made.private, fingerprint: x.fingerprint256, source: 'generated', validTo: new Date(x.validTo).toISOString() } };
  } catch (err) {
    return { ok: false, error: `cannot make the admin certificate under ${paths.dir}: ${(err as Error).message}` };
  }
}

/** The names the certificate covers: the host name, localhost, and every concrete listen address. */
export function certificateNames(listen: readonly string[]): { dns: string[]; ips: string[] } {
  const host = hostname().toLowerCase().replace(/[^a-z0-9.-]/g, '') || 'schoolgate';
  const ips = listen
    .map((l) => parseHostPort(l, 443)?.host)
    .filter((h): h is string => h !== undefined && isIP(h) !== 0 && h !== '0.0.0.0' && h !== '::');
  return { dns: [...new Set([host, 'localhost'])], ips: [...new Set(ips)] };
}

async function readKept(paths: ReturnType<typeof tlsPaths>, names: { dns: string[]; ips: string[] }, now: number): Promise<TlsMaterial | undefined> {
  try {
    const [cert, key] = await Promise.all([readFile(paths.cert, 'utf8'), readFile(paths.key, 'utf8')]);
    const x = new X509Certificate(cert);
    if (Date.parse(x.validTo) - now < RENEW_BEFORE_MS) return undefined;
    const covered = new Set([...(x.subjectAltName ?? '').matchAll(/IP Address:([0-9A-Fa-f:.]+)/g)].map((m) => canonicalIp(m[1])));
    if (!names.ips.every((ip) => covered.has(canonicalIp(ip)))) return undefined;
    return { cert, key, fingerprint: x.fingerprint256, source: 'reused', validTo: new Date(x.validTo).toISOString() };
  } catch {
    return undefined;
  }
}

/** One spelling per address (Node prints IPv6 SANs expanded and in capitals). */
function canonicalIp(ip: string): string {
  return isIP(ip) === 6 ? new URL(`http://[${ip}]/`).hostname : ip;
}
