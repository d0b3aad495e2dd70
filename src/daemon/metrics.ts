// A small Prometheus registry. Stages keep plain numbers on their hot paths and register a
// collector that reads them when /metrics is scraped.

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface Sample {
  /** histograms: `_bucket`, `_sum` or `_count` after the family name */
  suffix?: string;
  labels?: Record<string, string>;
  value: number;
}

interface Family {
  name: string;
  help: string;
  type: MetricType;
  collect: () => Sample[];
}

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();

  /** Registers (or replaces) a metric family; `name` must follow Prometheus rules. */
  register(name: string, help: string, type: MetricType, collect: () => Sample[] | number): () => void {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`bad metric name ${name}`);
    const family: Family = {
      name, help, type,
      collect: () => {
        const v = collect();
        return typeof v === 'number' ? [{ value: v }] : v;
      },
    };
    this.families.set(name, family);
    return () => {
      if (this.families.get(name) === family) this.families.delete(name);
    };
  }

  /** Text exposition format 0.0.4. */
  render(): string {
    const out: string[] = [];
    // metric names are ASCII: code-unit order, not localeCompare (ICU's collation data is ~2.5 MB resident on every scrape)
    for (const f of [...this.families.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      out.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      out.push(`# TYPE ${f.name} ${f.type}`);
      for (const s of f.collect()) out.push(`${f.name}${s.suffix ?? ''}${labelText(s.labels)} ${formatValue(s.value)}`);
    }
    return `${out.join('\n')}\n`;
  }
}

function labelText(labels?: Record<string, string>): string {
  if (!labels) return '';
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
