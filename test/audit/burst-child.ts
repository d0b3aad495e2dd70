// Appends audit entries as fast as it can until killed (the kill -9 test's victim).
import { openStore } from '../../src/store/index.js';
import { AuditLog } from '../../src/audit/index.js';

const opened = await openStore(process.argv[2]);
if (!opened.ok) throw new Error(opened.error);
const audit = new AuditLog(opened.store, Date.now);
await audit.open();
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  await audit.append({ actor: { name: 'burst', kind: 'system' }, action: 'test.burst', details: { i, pad: 'x'.repeat(200) } });
}
