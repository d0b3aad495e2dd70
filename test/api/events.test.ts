// The dashboard's event stream over a real socket: LED changes exactly as the health stage
// reports them, new incidents (anonymised for a viewer), overrides and request counts.
import t from 'tap';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LedStates } from '../../src/daemon/index.js';
import { apiFixture } from './fixture.js';
import type { Agent } from './fixture.js';

const LEDS: LedStates = {
  power: { pattern: 'heartbeat', why: 'running' },
  wan: { pattern: 'on', why: 'WAN up' },
  filter: { pattern: 'slow-blink', why: 'an override is active' },
  alert: { pattern: 'fast-blink', why: '1 open incident' },
};

function stream(port: number, agent: Agent, until: (text: string) => boolean): { done: Promise<string>; ready: Promise<void> } {
  let ready: () => void = () => undefined;
  const readyP = new Promise<void>((r) => (ready = r));
  const done = new Promise<string>((resolve, reject) => {
    let text = '';
    const cookie = [...agent.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/events', headers: { cookie } }, (res) => {
      res.setEncoding('utf8').on('data', (c: string) => {
        text += c;
        if (text.includes('event: stats')) ready();
        if (until(text)) {
          req.destroy();
          resolve(text);
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`stream ended without the expected events: ${text.slice(0, 1500)}`));
    }, 10_000);
    req.on('close', () => clearTimeout(timer));
    req.on('error', () => undefined);
    req.end();
  });
  return { done, ready: readyP };
}

t.test('LEDs, incidents and counts arrive as they happen; a viewer\'s stream is anonymised', async (t) => {
  const f = await apiFixture(t);
  f.ctx.services.health = { leds: () => LEDS, snapshot: () => ({ wan: 'up' }) };
  await f.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (f.app.server.address() as AddressInfo).port;
  const dina = await f.as('safeguarding', { name: 'dina' });
  const gov = await f.as('viewer', { name: 'gov' });
  const want = (text: string) => /event: leds/.test(text) && /event: incident/.test(text) && /event: requests/.test(text);
  const forDina = stream(port, dina, want);
  const forGov = stream(port, gov, want);
  await Promise.all([forDina.ready, forGov.ready]);
  f.ctx.events.emit('leds:changed', LEDS);
  await f.core.incidents.record({ type: 'locked', client: '10.10.1.77', category: 'illegal', domain: 'csam.example', count: 1 }, { group: 'pupils', user: 'sam.p', mac: 'aa:bb:cc:dd:ee:77' });
  await f.agent('10.10.1.78').post('/api/v1/requests', { domain: 'casino.example', reason: 'homework help' });
  const [d, g] = await Promise.all([forDina.done, forGov.done]);
  t.match(d, /event: hello\ndata: \{"serverTime":"[^"]+","role":"safeguarding","leds":\{"power":\{"pattern":"heartbeat"/, 'hello carries the LEDs');
  t.match(d, `event: leds\ndata: ${JSON.stringify(LEDS)}\n\n`, 'exactly the health stage\'s states');
  t.match(d, /event: incident\ndata: \{"incident":\{[^\n]*"client":"10\.10\.1\.77"[^\n]*"user":"sam\.p"/, 'the DSL sees who');
  t.match(d, /event: requests\ndata: \{"open":1\}/);
  t.match(g, /event: incident\ndata: \{"incident":\{[^\n]*"client":"device-[0-9a-f]{8}"/, 'the viewer sees a pseudonym');
  t.notMatch(g, /10\.10\.1\.77|sam\.p|aa:bb:cc:dd:ee:77/);
  const status = (await dina.get('/api/v1/status')).json() as { leds: LedStates };
  t.same(status.leds, LEDS, 'GET /status reports exactly leds()');
});
