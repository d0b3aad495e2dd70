'use strict';
// Loaded by src/dns/batch-socket.ts; throws when the addon was not built (then the DNS
// listener uses node:dgram).
module.exports = require('./build/Release/udp_batch.node');
