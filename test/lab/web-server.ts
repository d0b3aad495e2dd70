// The fake internet's web server (run inside the lab's internet namespace):
//   node --import tsx test/lab/web-server.ts CERT KEY ADDRESS…
// HTTP on 80 and HTTPS on 443 of each address. It answers every path with one line naming the
// Host it was asked for and the client address it saw (NAT shows the appliance's WAN address).
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';

const [cert, key, ...addresses] = process.argv.slice(2);
if (!cert || !key || addresses.length === 0) {
  process.stderr.write('usage: web-server.ts CERT KEY ADDRESS…\n');
  process.exit(2);
}

const answer = (req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
  res.end(`schoolgate-lab web host=${req.headers.host ?? ''} from=${req.socket.remoteAddress ?? ''}\n`);
};

const tls = { cert: readFileSync(cert), key: readFileSync(key) };
let pending = addresses.length * 2;
const listening = () => {
  pending -= 1;
  if (pending === 0) process.stdout.write('web server listening\n');
};
for (const address of addresses) {
  createServer(answer).listen(80, address, listening);
  createTlsServer(tls, answer).listen(443, address, listening);
}
process.on('SIGTERM', () => process.exit(0));
