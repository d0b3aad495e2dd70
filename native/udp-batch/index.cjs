'use strict';
// Loaded by src/dns/udp-batch.ts; throws when the addon was not built (then the DNS
// listener and the upstream sockets use node:dgram).
module.exports = require('./build/Release/udp_batch.node');
