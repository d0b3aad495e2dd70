// First run without a default password: while no admin account exists, the daemon makes a
// one-time code, prints it to the log (the journal / console of the appliance), and the first
// visit trades it for the technician account. The code lives in memory only (a restart prints
// a new one); a used code is gone at once, even if creating the account then fails.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

// No 0/O, 1/I/L: read off a screen and typed in.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export class SetupGate {
  private digest: Buffer | undefined;

  /** A fresh code (three groups of four, ~59 bits); only its hash is kept after this. */
  issue(): string {
    const raw = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    this.digest = hash(raw);
    return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
  }

  get open(): boolean {
    return this.digest !== undefined;
  }

  /** Checks the code; a right one is consumed (true exactly once). */
  consume(text: string): boolean {
    if (!this.digest) return false;
    const ok = timingSafeEqual(hash(text.toUpperCase().replace(/[^A-Z0-9]/g, '')), this.digest);
    if (ok) this.close();
    return ok;
  }

  close(): void {
    this.digest = undefined;
  }
}

function hash(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
