// Client IP → device (MAC, hostname) → user (device register) → group, for every query. The
// answer is cached per IP and dropped when the snapshot, the neighbour table or the date changes.
import type { CompiledGroup } from '../policy/index.js';
import type { GroupMatcher } from './group-matcher.js';
import { registeredOn } from './device-register.js';
import type { RegisteredDevice } from './device-register.js';
import type { Binding } from './visitors.js';

export interface ClientIdentity {
  ip: string;
  mac?: string;
  hostname?: string;
  /** from the device register */
  user?: string;
  class?: string;
  group: CompiledGroup;
  /** must sign in first (portal group, not registered, not signed in) */
  portal: boolean;
  /** a visitor or staff sign-in, until it expires */
  binding?: Binding;
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
  register: ReadonlyMap<string, RegisteredDevice>;
  /** signed-in devices, by MAC (or IP) */
  bindings: ReadonlyMap<string, Binding>;
  portalGroups: ReadonlySet<string>;
}

export class IdentityService {
  private cache = new Map<string, ClientIdentity>();
  /** weak: the state it was built for must not outlive a swap (it holds the domain index) */
  private cachedFor: WeakRef<IdentitySource> | undefined;
  private cachedGeneration = -1;
  private day = { date: '', endsAt: 0 };

  constructor(
    private readonly source: () => IdentitySource,
    private readonly directory: DeviceDirectory = emptyDirectory,
    private readonly now: () => number = Date.now,
    /** the local date at an instant and when that day ends (register entries expire by date) */
    private readonly dayAt: (ms: number) => { date: string; endsAt: number } = utcDay,
  ) {}

  identify(ip: string): ClientIdentity {
    const src = this.source();
    if (src !== this.cachedFor?.deref() || this.directory.generation !== this.cachedGeneration) this.reset(src);
    const now = this.now();
    if (now >= this.day.endsAt) {
      this.reset(src);
      this.day = this.dayAt(now);
    }
    let id = this.cache.get(ip);
    if (id && !(id.binding && now >= Date.parse(id.binding.expiresAt))) return id;
    const date = this.day.date;
    const mac = this.directory.macOf(ip);
    const bound = src.bindings.get(mac ?? ip);
    const binding = bound && now < Date.parse(bound.expiresAt) ? bound : undefined;
    const registered = registeredOn(src.register, mac, date);
    const named = (name: string | undefined) => (name === undefined ? undefined : src.groups.find((g) => g.name === name));
    const group = named(binding?.group) ?? named(registered?.group) ?? src.groups[src.matcher.match(ip, mac)];
    id = {
      ip, mac, hostname: this.directory.hostnameOf(mac, ip), user: binding?.user ?? registered?.user, class: registered?.class, group,
      portal: !binding && !registered && src.portalGroups.has(group.name),
      binding,
    };
    if (this.cache.size >= 65536) this.cache.clear();
    this.cache.set(ip, id);
    return id;
  }

  private reset(src: IdentitySource): void {
    this.cache = new Map();
    this.cachedFor = new WeakRef(src);
    this.cachedGeneration = this.directory.generation;
  }
}

function utcDay(ms: number): { date: string; endsAt: number } {
  const start = Math.floor(ms / 86_400_000) * 86_400_000;
  return { date: new Date(start).toISOString().slice(0, 10), endsAt: start + 86_400_000 };
}
