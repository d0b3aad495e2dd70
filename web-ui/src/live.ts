// One Server-Sent Events stream for the whole app (the dashboard's live counters, the LED mirror,
// new incidents). Pages subscribe to named events and unsubscribe when they are left; the stream
// opens on first use and the browser reconnects it by itself after a drop.
import { API_BASE } from './api.js';
import type { SseEvents } from './api-types.js';

type Listener = (data: unknown) => void;
type EventName = keyof SseEvents;

export class LiveFeed {
  private source: EventSource | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly bound = new Set<string>();
  private readonly stateListeners = new Set<(connected: boolean) => void>();
  connected = false;

  constructor(private readonly url = `${API_BASE}/events`) {}

  /** Payloads are the API's SseEvents types (src/api/schemas/events.ts). */
  on<K extends EventName>(event: K, fn: (data: SseEvents[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const listener = fn as Listener;
    set.add(listener);
    this.open();
    this.bind(event);
    return () => set?.delete(listener);
  }

  onState(fn: (connected: boolean) => void): () => void {
    this.stateListeners.add(fn);
    fn(this.connected);
    return () => this.stateListeners.delete(fn);
  }

  close(): void {
    this.source?.close();
    this.source = undefined;
    this.bound.clear();
    this.setState(false);
  }

  private open(): void {
    if (this.source) return;
    this.source = new EventSource(this.url, { withCredentials: true });
    this.source.onopen = () => this.setState(true);
    this.source.onerror = () => this.setState(false);
    for (const event of this.listeners.keys()) this.bind(event);
  }

  private bind(event: string): void {
    if (!this.source || this.bound.has(event)) return;
    this.bound.add(event);
    this.source.addEventListener(event, (ev) => {
      let data: unknown;
      try {
        data = JSON.parse((ev as MessageEvent<string>).data);
      } catch {
        return;
      }
      for (const fn of this.listeners.get(event) ?? []) fn(data);
    });
  }

  private setState(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    for (const fn of this.stateListeners) fn(connected);
  }
}
