import type { RuleGroup } from "../lib/alerts";
import type { AlertThresholds } from "./thresholds";
import { thresholdPair } from "./rules/pair";

/**
 * External probes: the blackbox exporter requests every public URL the way a user would (DNS, load
 * balancer, ingress, TLS, the service) and reports `probe_success`, `probe_http_status_code` and
 * `probe_ssl_earliest_cert_expiry`. Unlike `up`, this needs no scrape target inside the cluster and sees
 * what users see: a broken ingress, an expired certificate or a wrong DNS record.
 */

/** Prometheus job of the probes (the Probe's `jobName`, the Docker scrape job). */
export const PROBE_JOB = "blackbox";
/** blackbox exporter module: HTTPS GET that must answer 2xx over valid TLS. */
export const PROBE_MODULE = "http_2xx";
/** Service / container name of the exporter and its port. */
export const BLACKBOX_HOST = "blackbox-exporter";
export const BLACKBOX_PORT = 9115;

/** blackbox.yml (pure): one module; 2xx only (the default), TLS required and verified, IPv4 first. */
export function blackboxConfig(): Record<string, unknown> {
  return {
    modules: {
      [PROBE_MODULE]: {
        prober: "http",
        timeout: "10s",
        http: {
          method: "GET",
          valid_http_versions: ["HTTP/1.1", "HTTP/2.0"],
          follow_redirects: true,
          fail_if_not_ssl: true,
          preferred_ip_protocol: "ip4",
        },
      },
    },
  };
}

/** The URL a public service is probed at: its ingress host over HTTPS, at its readiness (or liveness) path. */
export function publicProbeUrl(settings: {
  ingress?: { host: string; path: string };
  probes: { livenessPath?: string; readinessPath?: string };
}): string | undefined {
  if (!settings.ingress) return undefined;
  const { host, path } = settings.ingress;
  const health = settings.probes.readinessPath ?? settings.probes.livenessPath ?? "/";
  // A service mounted under a sub-path only receives that path: probe the mount point itself.
  return `https://${host}${path === "/" ? health : path}`;
}

/** Prometheus Operator `Probe` spec probing `urls` through the exporter at `proberUrl`. */
export function probeSpec(urls: ReadonlyArray<string>, proberUrl: string): Record<string, unknown> {
  return {
    jobName: PROBE_JOB,
    interval: "30s",
    scrapeTimeout: "15s",
    module: PROBE_MODULE,
    prober: { url: proberUrl, path: "/probe" },
    targets: { staticConfig: { static: [...urls] } },
  };
}

/** Docker: the classic scrape config that turns each URL into a `target` parameter of the exporter. */
export function blackboxScrapeConfig(urls: ReadonlyArray<string>): Record<string, unknown> {
  return {
    job_name: PROBE_JOB,
    scrape_interval: "30s",
    scrape_timeout: "15s",
    metrics_path: "/probe",
    params: { module: [PROBE_MODULE] },
    static_configs: [{ targets: [...urls] }],
    relabel_configs: [
      { source_labels: ["__address__"], target_label: "__param_target" },
      { source_labels: ["__param_target"], target_label: "instance" },
      { target_label: "__address__", replacement: `${BLACKBOX_HOST}:${BLACKBOX_PORT}` },
    ],
  };
}

/**
 * EndpointDown (critical: users cannot reach the URL) and EndpointCertificateExpiry (the served
 * certificate, whoever issued it, expires soon; thresholds shared with cert-manager's CertificateExpiry).
 */
export function probeRules(t: AlertThresholds): RuleGroup[] {
  const sel = `job="${PROBE_JOB}"`;
  return [
    {
      name: "platform-probes",
      rules: [
        {
          alert: "EndpointDown",
          expr: `max by (instance) (probe_success{${sel}}) == 0`,
          for: "2m",
          severity: "critical",
          summary: "{{ $labels.instance }} is unreachable from outside",
          description:
            "The external probe of {{ $labels.instance }} has failed for 2 minutes (no 2xx answer over valid TLS): users cannot reach it. Check DNS, the load balancer, the ingress and the service.",
        },
        ...thresholdPair({
          base: "EndpointCertificateExpiry",
          expr: (days) => `(min by (instance) (probe_ssl_earliest_cert_expiry{${sel}}) - time()) < ${days} * 86400`,
          thresholds: t.certificateExpiryDays,
          for: { warning: "1h", critical: "10m" },
          summary: "The certificate served at {{ $labels.instance }} expires soon",
          description: (days) =>
            `The TLS certificate served at {{ $labels.instance }} expires in {{ $value | humanizeDuration }} (threshold ${days} days).`,
        }),
      ],
    },
  ];
}
