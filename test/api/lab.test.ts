// In the network-namespace lab, gateway mode: the admin UI and the block page answer on the
// appliance's LAN address and nowhere else. From the fake internet (the WAN side) the admin port
// is not reachable; a wildcard admin address is refused in gateway mode.
import t from 'tap';
import { createLab, NET } from '../lab/lab.js';
import { labApi, setUpFirstUser } from '../lab/admin-api.js';

t.test('the admin port is reachable from the LAN and not from the WAN', async (t) => {
  const lab = await createLab({ services: false });
  t.teardown(() => lab.destroy());
  const daemon = await lab.startDaemon();
  t.teardown(() => daemon.stop('SIGKILL'));
  const curl = (place: 'staff' | 'pupil' | 'inet', url: string, extra: string[] = []) =>
    lab.exec(place, ['curl', '-sk', '-m', '3', '-o', '/dev/null', '-w', '%{http_code}', ...extra, url], { timeoutMs: 8000 });

  t.equal((await curl('staff', 'https://10.10.0.1/api/v1/session')).stdout, '200', 'staff reach the admin API on the LAN address');
  t.equal((await curl('staff', 'https://[fd00:10::1]/api/v1/session')).stdout, '200', 'and on its IPv6 LAN address');
  t.equal((await curl('pupil', 'http://10.10.0.1/', ['-H', 'Host: blocked.test'])).stdout, '403', 'a pupil gets the block page');
  t.equal((await curl('inet', `https://${NET.wanAppliance}/api/v1/session`)).stdout, '000', 'the WAN address has no admin port');
  t.equal((await curl('inet', `https://${NET.wanAppliance6}/api/v1/session`.replace(NET.wanAppliance6, `[${NET.wanAppliance6}]`))).stdout, '000');
  t.equal((await curl('inet', 'https://10.10.0.1/api/v1/session')).stdout, '000', 'nor can the WAN side reach the LAN address');
  t.equal((await curl('inet', `http://${NET.wanAppliance}/`)).stdout, '000', 'no block page on the WAN either');
  // Signed in from a staff machine (curl with a cookie jar, as a browser would): gateway-mode figures.
  const api = labApi(lab);
  const made = await setUpFirstUser(api, daemon);
  t.match(made, { authenticated: true, role: 'technician' });
  const bw = await api('GET', '/api/v1/bandwidth');
  t.match(bw, { available: true, caps: [{ group: 'staff' }, { group: 'pupils', bandwidth: { dailyQuota: '20MB' } }, { group: 'guests' }] }, 'usage and caps come from the firewall stage');
  const reset = await api('POST', '/api/v1/bandwidth/10.10.1.10/reset', String(made.csrfToken), { reason: 'exam revision video' });
  t.not(reset.code, 'SG_NOT_GATEWAY', `quota reset reaches the firewall stage: ${JSON.stringify(reset)}`);
  t.match(await api('GET', '/api/v1/status'), { mode: 'gateway' });
  const sockets = (await lab.exec('app', ['ss', '-Hltn'])).stdout;
  t.notMatch(sockets, /(0\.0\.0\.0|\*|\[::\]):(443|80)\b/, 'nothing of ours listens on a wildcard address');
  t.match(sockets, /10\.10\.0\.1:443/);
  await daemon.stop('SIGTERM');

  const wild = await lab.startDaemon({ patch: (c) => { c.admin = { listen: ['0.0.0.0:8444'], tls: 'off' }; } });
  t.teardown(() => wild.stop('SIGKILL'));
  t.ok(wild.logs.some((l) => /not listening on 0\.0\.0\.0:8444: a wildcard address would answer on the WAN/.test(String(l.msg))), 'a wildcard is refused and said');
  t.equal((await curl('inet', `http://${NET.wanAppliance}:8444/`)).stdout, '000');
});
