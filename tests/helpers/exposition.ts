/**
 * Series scraped from a real exporter, and the same series as `promtool test rules` input: an alert test then runs
 * on what the exporter really emits instead of series written by hand.
 */
import * as http from "http";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One scrape, keyed by the series text as exposed (`name{labels}`); comments and HELP/TYPE lines dropped. */
export type Scrape = Map<string, Sample>;

export function parseExposition(text: string): Scrape {
  const out: Scrape = new Map();
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    out.set(`${m[1]}{${m[2] ?? ""}}`, { name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** GET of a metrics endpoint on 127.0.0.1, parsed. */
export function scrape(url: string): Promise<Scrape> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => (res.statusCode === 200 ? resolve(parseExposition(body)) : reject(new Error(`${url}: HTTP ${res.statusCode}\n${body}`))));
      })
      .on("error", reject);
  });
}

/**
 * Scrapes every second until `ok` holds (at most `seconds`; an exporter still starting refuses connections), else
 * fails with the exporter's last series of `prefix` or its last error.
 */
export async function scrapeUntil(url: string, ok: (s: Scrape) => boolean, what: string, prefix: string, seconds = 90): Promise<Scrape> {
  for (let i = 0; ; i++) {
    let last: string;
    try {
      const s = await scrape(url);
      if (ok(s)) return s;
      last = [...s.entries()].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => `${k} ${v.value}`).join("\n");
    } catch (e) {
      last = String(e);
    }
    if (i >= seconds) throw new Error(`the exporter never showed ${what}:\n${last}`);
    await new Promise((res) => setTimeout(res, 1000));
  }
}

/** Sum of the values of `name` whose labels include `match`. */
export function sumOf(s: Scrape, name: string, match: Record<string, string> = {}): number {
  return [...s.values()].filter((x) => x.name === name && Object.entries(match).every(([k, v]) => x.labels[k] === v)).reduce((n, x) => n + x.value, 0);
}

/**
 * promtool input series from consecutive phases, each a scrape held for `minutes` at a 1m interval; series of
 * `prefix` only (the exporter's own), with the labels Prometheus adds at scrape time (`job`, `instance`). A series
 * missing from a phase is missing there (`_`), as after a target stops exposing it.
 */
export function phasesAsSeries(phases: Array<{ scrape: Scrape; minutes: number }>, prefix: string, scrapeLabels: Record<string, string>) {
  const keys = new Set(phases.flatMap((p) => [...p.scrape.keys()].filter((k) => k.startsWith(prefix))));
  return [...keys].map((key) => {
    const sample = phases.map((p) => p.scrape.get(key)).find((x) => x)!;
    const labels = Object.entries({ ...sample.labels, ...scrapeLabels })
      .map(([k, v]) => `${k}="${v}"`)
      .join(",");
    const values = phases.map((p) => `${p.scrape.has(key) ? String(p.scrape.get(key)!.value) : "_"}x${p.minutes - 1}`).join(" ");
    return { series: `${sample.name}{${labels}}`, values };
  });
}

/** Metric names and grouping labels a rule expression uses that no sample of `s` has; `up` and scrape labels excepted. */
export function missingInScrape(expr: string, s: Scrape): string[] {
  const missing: string[] = [];
  const grouping = new Set([...expr.matchAll(/\b(?:by|on) \(([^)]*)\)/g)].flatMap((m) => m[1].split(",").map((l) => l.trim())));
  for (const [, metric] of expr.matchAll(/\b([a-z_:][a-z0-9_:]*)\{/g)) {
    if (metric === "up") continue; // Prometheus' own series of the scrape
    const found = [...s.values()].filter((x) => x.name === metric);
    if (found.length === 0) {
      missing.push(`no series ${metric}`);
      continue;
    }
    for (const label of grouping) {
      if (label === "job" || label === "instance") continue; // added by the scrape
      if (!found.some((x) => label in x.labels)) missing.push(`${metric} has no label ${label} (it has ${Object.keys(found[0].labels).join(", ")})`);
    }
  }
  return missing;
}
