// A web server in the lab's internet namespace that sends what it is asked for:
//   node --import tsx test/traffic/bulk-web-server.ts CERT KEY ADDRESS
// HTTPS on 443: GET /<n> answers n bytes (at most 64 MiB), so a test knows how many bytes a
// flow carried and can compare them with what the traffic view counted.
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';

const [cert, key, address] = process.argv.slice(2);
const CHUNK = Buffer.alloc(64 * 1024, 'x');
createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
  let left = Math.min(Number(/^\/(\d+)$/.exec(req.url ?? '')?.[1] ?? 0), 64 << 20);
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(left), connection: 'close' });
  const more = (): void => {
    while (left > 0) {
      const n = Math.min(left, CHUNK.length);
      left -= n;
      if (!res.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) return void res.once('drain', more);
    }
    res.end();
  };
  more();
}).listen(443, address, () => process.stdout.write('bulk web server listening\n'));
process.on('SIGTERM', () => process.exit(0));
