// Prometheus text exposition, by hand: a request-duration histogram per route,
// and gauges read from the store at scrape time.

export const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  labels: string;
  counts: number[];
  sum: number;
  count: number;
}

const label = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export class Metrics {
  private series = new Map<string, Series>();
  readonly started = Date.now();

  observe(method: string, route: string, status: number, seconds: number): void {
    const labels = `method="${label(method)}",route="${label(route)}",status="${Math.floor(status / 100)}xx"`;
    let s = this.series.get(labels);
    if (!s) {
      // Routes are the registered patterns (or "unmatched"), so the series stay few.
      if (this.series.size > 500) return;
      this.series.set(labels, (s = { labels, counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    }
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) s.counts[i]++;
    s.sum += seconds;
    s.count++;
  }

  render(gauges: Record<string, { help: string; value: number; type?: 'gauge' | 'counter' }>): string {
    const out: string[] = [];
    for (const [name, g] of Object.entries(gauges)) {
      out.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} ${g.type ?? 'gauge'}`, `${name} ${Number.isFinite(g.value) ? g.value : 0}`);
    }
    const h = 'feedmirror_http_request_duration_seconds';
    out.push(`# HELP ${h} Time to answer an HTTP request.`, `# TYPE ${h} histogram`);
    for (const s of this.series.values()) {
      BUCKETS.forEach((b, i) => out.push(`${h}_bucket{${s.labels},le="${b}"} ${s.counts[i]}`));
      out.push(`${h}_bucket{${s.labels},le="+Inf"} ${s.count}`, `${h}_sum{${s.labels}} ${s.sum}`, `${h}_count{${s.labels}} ${s.count}`);
    }
    return out.join('\n') + '\n';
  }
}
