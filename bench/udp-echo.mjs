// The DNS bench's ceiling: a Node dgram server that does no DNS work. It answers each query
// with its own question (QR set, NOERROR, no records), so its qps is what any resolver built
// on Node's dgram can reach on this machine beside dnsperf, before the resolver does anything.
// Plain JavaScript, started without tsx, so its RSS is node's own.
import { createSocket } from 'node:dgram';

const port = Number(process.argv[2]);
const socket = createSocket({
  type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20,
  // as src/dns/udp-listener.ts: replies go to an IP literal, no dns.lookup
  lookup: (address, _options, callback) => callback(null, address, 4),
});
socket.on('message', (msg, rinfo) => {
  if (msg.length < 12) return;
  msg[2] |= 0x80;
  socket.send(msg, rinfo.port, rinfo.address);
});
socket.bind(port, '127.0.0.1');
process.on('SIGTERM', () => socket.close(() => process.exit(0)));
