// The admin API from a lab client, as a browser uses it: curl with a cookie jar over HTTPS to the
// appliance's LAN address, the CSRF token in a header; first-run setup with the code the daemon logged.
import { join } from 'node:path';
import type { RunningDaemon } from '../helpers/daemon.js';
import type { Lab, Place } from './lab.js';

export type LabApi = (method: string, path: string, csrf?: string, body?: unknown) => Promise<Record<string, unknown>>;

export function labApi(lab: Lab, place: Place = 'staff'): LabApi {
  const jar = join(lab.dir, `cookies-${place}.txt`);
  return async (method, path, csrf, body) => {
    const args = ['curl', '-sk', '-m', '5', '-c', jar, '-b', jar, '-X', method, ...(csrf ? ['-H', `x-csrf-token: ${csrf}`] : []), ...(body ? ['-H', 'content-type: application/json', '-d', JSON.stringify(body)] : []), `https://10.10.0.1${path}`];
    return JSON.parse((await lab.must(place, args)).trim() || '{}') as Record<string, unknown>;
  };
}

/** First-run setup with the setup code from the daemon's log: the session it answers with. */
export async function setUpFirstUser(api: LabApi, daemon: RunningDaemon, username = 'tess'): Promise<Record<string, unknown>> {
  const code = /setup code (\S+)/.exec(String(daemon.logs.find((l) => String(l.msg).startsWith('setup needed'))?.msg))?.[1];
  const pre = await api('GET', '/api/v1/session');
  return api('POST', '/api/v1/setup', String(pre.csrfToken), { code, username, password: 'a long lab password' });
}
