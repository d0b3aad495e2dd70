// Client IP → device (MAC, hostname) → group, for every query. The answer is cached per IP and
// dropped when the policy snapshot or the neighbour table changes.
import type { CompiledGroup } from '../policy/index.js';
import type { GroupMatcher } from './group-matcher.js';

export interface ClientIdentity {
  ip: string;
  mac?: string;
  hostname?: string;
  group: CompiledGroup;
}

/** Where MACs and hostnames come from (the kernel neighbour table, DHCP leases). */
export interface DeviceDirectory {
  macOf(ip: string): string | undefined;
  hostnameOf(mac: string | undefined, ip: string): string | undefined;
  /** bumps when the table changed, so cached identities are re-read */
  readonly generation: number;
}

export const emptyDirectory: DeviceDirectory = { macOf: () => undefined, hostnameOf: () => undefined, generation: 0 };

export interface IdentitySource {
  matcher: GroupMatcher;
  groups: readonly CompiledGroup[];
}

export class IdentityService {
  private cache = new Map<string, ClientIdentity>();
  private cachedFor: IdentitySource | undefined;
  private cachedGeneration = -1;

  constructor(
    private readonly source: () => IdentitySource,
    private readonly directory: DeviceDirectory = emptyDirectory,
  ) {}

  identify(ip: string): ClientIdentity {
    const src = this.source();
    if (src !== this.cachedFor || this.directory.generation !== this.cachedGeneration) {
      this.cache = new Map();
      this.cachedFor = src;
      this.cachedGeneration = this.directory.generation;
    }
    let id = this.cache.get(ip);
    if (id) return id;
    const mac = this.directory.macOf(ip);
    id = { ip, mac, hostname: this.directory.hostnameOf(mac, ip), group: src.groups[src.matcher.match(ip, mac)] };
    if (this.cache.size >= 65536) this.cache.clear();
    this.cache.set(ip, id);
    return id;
  }
}
