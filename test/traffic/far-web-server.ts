// A web server "far away" (run inside the lab's internet namespace):
//   node --import tsx test/traffic/far-web-server.ts CERT KEY ADDRESS DELAY_MS
// HTTPS on 443 that starts each TLS handshake DELAY_MS after the connection opened: the round
// trip of a real internet server, which the lab (no netem in this kernel) does not have.
import { createServer as createTcpServer } from 'node:net';
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';

const [cert, key, address, delay] = process.argv.slice(2);
const https = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
  res.end(`schoolgate-lab far web host=${req.headers.host ?? ''}\n`);
});
createTcpServer({ pauseOnConnect: true }, (socket) => {
  setTimeout(() => {
    https.emit('connection', socket);
    socket.resume();
  }, Number(delay));
}).listen(443, address, () => process.stdout.write('far web server listening\n'));
process.on('SIGTERM', () => process.exit(0));
