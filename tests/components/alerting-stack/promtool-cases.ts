import type { PromtoolTestGroup } from "../../helpers/tools";

/**
 * `promtool test rules` cases for the built-in alerts with default thresholds: for each family one group
 * of unhealthy series (the alerts fire with exactly these labels) and one of healthy series (silent).
 * Series are sampled every minute; counters grow by `+N` per minute, i.e. N/60 per second.
 */
const crit = { severity: "critical", priority: "P1" };
const warn = { severity: "warning", priority: "P2" };
const info = { severity: "info", priority: "P3" };

type Labels = Record<string, string>;
const sel = (labels: Labels) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`;

/**
 * The `alert_family` label an alert carries: threshold pairs and SLO burn alerts share their base name
 * (NodeCpuUsageHigh/Critical -> NodeCpuUsage); others name their family explicitly or are their own family.
 */
const EXPLICIT_FAMILIES: Record<string, string> = {
  KubeDeploymentReplicasUnavailable: "KubeDeploymentReplicas",
  KubeDeploymentUnavailable: "KubeDeploymentReplicas",
};
export function familyOf(alertname: string): string {
  return EXPLICIT_FAMILIES[alertname] ?? alertname.replace(/(High|Critical|Fast|Slow)$/, "");
}

function family(opts: {
  name: string;
  evalTime: string;
  bad: Array<{ series: string; values: string }>;
  good: Array<{ series: string; values: string }>;
  expect: Record<string, Labels[]>;
}): PromtoolTestGroup[] {
  const alerts = Object.keys(opts.expect);
  return [
    {
      name: `${opts.name} fires`,
      interval: "1m",
      input_series: opts.bad,
      alert_rule_test: alerts.map((alertname) => ({
        eval_time: opts.evalTime,
        alertname,
        exp_alerts: opts.expect[alertname].map((exp_labels) => ({ exp_labels: { ...exp_labels, alert_family: familyOf(alertname) } })),
      })),
    },
    {
      name: `${opts.name} silent`,
      interval: "1m",
      input_series: opts.good,
      alert_rule_test: alerts.map((alertname) => ({ eval_time: opts.evalTime, alertname, exp_alerts: [] })),
    },
  ];
}

function nodeCpu(): PromtoolTestGroup[] {
  const s = (instance: string, idlePerMin: number) => ({
    series: `node_cpu_seconds_total${sel({ instance, cpu: "0", mode: "idle" })}`,
    values: `0+${idlePerMin}x40`,
  });
  return family({
    name: "node cpu",
    evalTime: "20m",
    // 20 % idle = 80 % busy (warning); 5 % idle = 95 % busy (critical); 50 % busy is fine.
    bad: [s("warn:9100", 12), s("crit:9100", 3), s("ok:9100", 30)],
    good: [s("ok:9100", 30)],
    expect: {
      NodeCpuUsageHigh: [{ instance: "warn:9100", ...warn }, { instance: "crit:9100", ...warn }],
      NodeCpuUsageCritical: [{ instance: "crit:9100", ...crit }],
    },
  });
}

function nodeMemory(): PromtoolTestGroup[] {
  const s = (instance: string, availablePercent: number) => [
    { series: `node_memory_MemAvailable_bytes${sel({ instance, job: "node" })}`, values: `${availablePercent}x30` },
    { series: `node_memory_MemTotal_bytes${sel({ instance, job: "node" })}`, values: "100x30" },
  ];
  return family({
    name: "node memory",
    evalTime: "20m",
    bad: [...s("warn:9100", 15), ...s("crit:9100", 2), ...s("ok:9100", 50)],
    good: s("ok:9100", 50),
    expect: {
      NodeMemoryUsageHigh: [{ instance: "warn:9100", job: "node", ...warn }, { instance: "crit:9100", job: "node", ...warn }],
      NodeMemoryUsageCritical: [{ instance: "crit:9100", job: "node", ...crit }],
    },
  });
}

function nodeDisk(): PromtoolTestGroup[] {
  const fs = (instance: string) => ({ instance, job: "node", device: "/dev/sda1", fstype: "ext4", mountpoint: "/" });
  const s = (instance: string, availablePercent: number) => [
    { series: `node_filesystem_avail_bytes${sel(fs(instance))}`, values: `${availablePercent}x30` },
    { series: `node_filesystem_size_bytes${sel(fs(instance))}`, values: "100x30" },
  ];
  // A full tmpfs is normal and must not alert.
  const tmpfs = { instance: "ok:9100", job: "node", device: "tmpfs", fstype: "tmpfs", mountpoint: "/dev/shm" };
  const full = [
    { series: `node_filesystem_avail_bytes${sel(tmpfs)}`, values: "0x30" },
    { series: `node_filesystem_size_bytes${sel(tmpfs)}`, values: "100x30" },
  ];
  return family({
    name: "node disk",
    evalTime: "20m",
    bad: [...s("warn:9100", 20), ...s("crit:9100", 5), ...s("ok:9100", 60), ...full],
    good: [...s("ok:9100", 60), ...full],
    expect: {
      NodeDiskUsageHigh: [{ ...fs("warn:9100"), ...warn }, { ...fs("crit:9100"), ...warn }],
      NodeDiskUsageCritical: [{ ...fs("crit:9100"), ...crit }],
    },
  });
}

function container(): PromtoolTestGroup[] {
  const c = (pod: string) => ({ namespace: "platform", pod, container: "app" });
  const cpu = (pod: string, usedPerMin: number) => [
    { series: `container_cpu_usage_seconds_total${sel(c(pod))}`, values: `0+${usedPerMin}x40` },
    { series: `kube_pod_container_resource_limits${sel({ ...c(pod), resource: "cpu", unit: "core" })}`, values: "1x40" },
  ];
  const mem = (pod: string, used: number) => [
    { series: `container_memory_working_set_bytes${sel(c(pod))}`, values: `${used}x40` },
    { series: `kube_pod_container_resource_limits${sel({ ...c(pod), resource: "memory", unit: "byte" })}`, values: "100x40" },
  ];
  return [
    ...family({
      name: "container cpu",
      evalTime: "25m",
      bad: [...cpu("warn", 48), ...cpu("crit", 57), ...cpu("ok", 30)],
      good: cpu("ok", 30),
      expect: {
        ContainerCpuUsageHigh: [{ ...c("warn"), ...warn }, { ...c("crit"), ...warn }],
        ContainerCpuUsageCritical: [{ ...c("crit"), ...crit }],
      },
    }),
    ...family({
      name: "container memory",
      evalTime: "25m",
      bad: [...mem("warn", 85), ...mem("crit", 98), ...mem("ok", 40)],
      good: mem("ok", 40),
      expect: {
        ContainerMemoryUsageHigh: [{ ...c("warn"), ...warn }, { ...c("crit"), ...warn }],
        ContainerMemoryUsageCritical: [{ ...c("crit"), ...crit }],
      },
    }),
  ];
}

/**
 * HTTP RED alerts of the fixture's services, each on the series it really exports: web with the client
 * library defaults (http_requests_total{status}, http_request_duration_seconds, P95), paimon-api with seed 002's
 * prefixed names at P99, ledger with Go promhttp's `code` status label.
 */
function http(): PromtoolTestGroup[] {
  const svc = (name: string) => ({ job: name, service: name });
  const traffic = (name: string, errorsPerMin: number, counter = "http_requests_total", statusLabel = "status") => [
    { series: `${counter}${sel({ ...svc(name), [statusLabel]: "500" })}`, values: `0+${errorsPerMin}x20` },
    { series: `${counter}${sel({ ...svc(name), [statusLabel]: "200" })}`, values: `0+${100 - errorsPerMin}x20` },
  ];
  const paimonTraffic = (errorsPerMin: number) => traffic("paimon-api", errorsPerMin, "paimon_http_requests_total");
  const ledgerTraffic = (errorsPerMin: number) => traffic("ledger", errorsPerMin, "ledger_http_requests_total", "code");
  // Cumulative bucket counts per minute; the boundaries are seed 002's buckets.
  const les = ["0.01", "0.05", "0.1", "0.5", "1", "2", "5", "+Inf"];
  const latency = (name: string, cumulative: number[], histogram = "http_request_duration_seconds") =>
    les.map((le, i) => ({ series: `${histogram}_bucket${sel({ ...svc(name), le })}`, values: `0+${cumulative[i]}x20` }));
  // 90 % under 0.1 s, 97 % under 0.5 s, all under 2 s: P95 ~0.39 s (fine), P99 ~1.67 s (over the 1 s warning).
  const tail = [50, 80, 90, 97, 97, 100, 100, 100];
  // Half the requests take 2-5 s: P95 ~4.7 s, over the 3 s critical threshold.
  const slow = [10, 20, 30, 40, 45, 50, 100, 100];
  const fast = [100, 100, 100, 100, 100, 100, 100, 100];
  const q = (quantile: string) => ({ quantile });
  return [
    ...family({
      name: "http errors, per service on its own counter and status label",
      evalTime: "10m",
      bad: [...traffic("web", 2), ...paimonTraffic(10), ...ledgerTraffic(10), ...traffic("payment-gateway", 0)],
      good: [...traffic("web", 0), ...paimonTraffic(0), ...ledgerTraffic(0), ...traffic("payment-gateway", 0)],
      expect: {
        HttpErrorRateHigh: [{ ...svc("web"), ...warn }, { ...svc("paimon-api"), ...warn }, { ...svc("ledger"), ...warn }],
        HttpErrorRateCritical: [{ ...svc("paimon-api"), ...crit }, { ...svc("ledger"), ...crit }],
      },
    }),
    {
      // 5xx under names a service does not use (default counter for paimon-api, `status` for ledger) is not its traffic.
      name: "http errors on names a service does not export stay silent",
      interval: "1m",
      input_series: [...traffic("paimon-api", 50), ...paimonTraffic(0), ...traffic("ledger", 50, "ledger_http_requests_total", "status"), ...ledgerTraffic(0)],
      alert_rule_test: ["HttpErrorRateHigh", "HttpErrorRateCritical"].map((alertname) => ({ eval_time: "10m", alertname, exp_alerts: [] })),
    },
    ...family({
      name: "http latency at each service's quantile",
      evalTime: "10m",
      // The same long tail is a P99 problem for paimon-api and no P95 problem for web; ledger is slow at P95.
      bad: [...latency("web", tail), ...latency("paimon-api", tail, "paimon_http_request_duration_seconds"), ...latency("ledger", slow)],
      good: [...latency("web", fast), ...latency("paimon-api", fast, "paimon_http_request_duration_seconds"), ...latency("ledger", fast)],
      expect: {
        HttpLatencyHigh: [{ ...svc("paimon-api"), ...q("0.99"), ...warn }, { ...svc("ledger"), ...q("0.95"), ...warn }],
        HttpLatencyCritical: [{ ...svc("ledger"), ...q("0.95"), ...crit }],
      },
    }),
    {
      name: "a slow histogram under the default name does not page paimon-api, which exports its own",
      interval: "1m",
      input_series: [...latency("paimon-api", slow), ...latency("paimon-api", fast, "paimon_http_request_duration_seconds")],
      alert_rule_test: ["HttpLatencyHigh", "HttpLatencyCritical"].map((alertname) => ({ eval_time: "10m", alertname, exp_alerts: [] })),
    },
    ...family({
      name: "target down",
      evalTime: "5m",
      bad: [
        { series: `up${sel({ job: "api", instance: "api:8080" })}`, values: "0x10" },
        { series: `up${sel({ job: "web", instance: "web:8080" })}`, values: "1x10" },
      ],
      good: [{ series: `up${sel({ job: "web", instance: "web:8080" })}`, values: "1x10" }],
      expect: { TargetDown: [{ job: "api", instance: "api:8080", ...crit }] },
    }),
  ];
}

/**
 * A real crash loop as kube-state-metrics reports it: the container runs for a few seconds after each
 * back-off (10 s, 20 s, 40 s, ... capped at 5 min); while it runs the CrashLoopBackOff series is gone
 * (a staleness marker), and the restart counter steps up once per cycle.
 */
function crashLoop(): PromtoolTestGroup[] {
  const pod = { namespace: "platform", pod: "api-7d9f", container: "api" };
  const waiting = `kube_pod_container_status_waiting_reason${sel({ ...pod, reason: "CrashLoopBackOff" })}`;
  const restarts = `kube_pod_container_status_restarts_total${sel(pod)}`;
  // Back-off capped at 5 min: 4 scrapes waiting, 1 scrape running, repeated; one restart per 5 minutes.
  // kube-state-metrics drops the series while the container runs, so Prometheus writes a staleness marker.
  const blinking = Array.from({ length: 8 }, () => "1 1 1 1 stale").join(" ");
  const restartSteps = Array.from({ length: 8 }, (_, i) => `${i + 5} ${i + 5} ${i + 5} ${i + 5} ${i + 6}`).join(" ");
  const exp = { ...pod, ...warn, alert_family: "KubePodCrashLooping" };
  return [
    {
      name: "crash loop that blinks between back-offs fires and stays firing",
      interval: "1m",
      input_series: [
        { series: waiting, values: blinking },
        { series: restarts, values: restartSteps },
      ],
      alert_rule_test: [
        { eval_time: "5m", alertname: "KubePodCrashLooping", exp_alerts: [] },
        { eval_time: "11m", alertname: "KubePodCrashLooping", exp_alerts: [{ exp_labels: exp }] },
        // Minute 14 and 19 are scrapes where the container is briefly Running: the alert must not reset.
        { eval_time: "14m", alertname: "KubePodCrashLooping", exp_alerts: [{ exp_labels: exp }] },
        { eval_time: "19m", alertname: "KubePodCrashLooping", exp_alerts: [{ exp_labels: exp }] },
        { eval_time: "30m", alertname: "KubePodCrashLooping", exp_alerts: [{ exp_labels: exp }] },
      ],
    },
    {
      name: "two restarts with one scraped back-off (an OOM kill, then healthy) stay silent",
      interval: "1m",
      input_series: [
        { series: waiting, values: "_ _ _ _ _ 1 stale _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _" },
        { series: restarts, values: "0x4 1 2x25" },
      ],
      alert_rule_test: [
        { eval_time: "10m", alertname: "KubePodCrashLooping", exp_alerts: [] },
        { eval_time: "16m", alertname: "KubePodCrashLooping", exp_alerts: [] },
        { eval_time: "25m", alertname: "KubePodCrashLooping", exp_alerts: [] },
      ],
    },
  ];
}

/**
 * "Service unreachable" with all pods Pending: no pod is ready, so no endpoint exists and `up` has no series
 * (TargetDown cannot fire); kube-state-metrics still reports the Deployment.
 */
function deploymentAvailability(): PromtoolTestGroup[] {
  const deploy = (deployment: string) => ({ namespace: "platform", deployment });
  const ksm = (deployment: string, spec: number, available: number) => [
    { series: `kube_deployment_spec_replicas${sel(deploy(deployment))}`, values: `${spec}x30` },
    { series: `kube_deployment_status_replicas_available${sel(deploy(deployment))}`, values: `${available}x30` },
    { series: `kube_deployment_status_replicas_unavailable${sel(deploy(deployment))}`, values: `${spec - available}x30` },
  ];
  const pending = (deployment: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      series: `kube_pod_status_phase${sel({ namespace: "platform", pod: `${deployment}-5c7d-${i}`, phase: "Pending" })}`,
      values: "1x30",
    }));
  const crit1 = { ...deploy("api"), ...crit, alert_family: "KubeDeploymentReplicas" };
  const warn1 = (d: string) => ({ ...deploy(d), ...warn, alert_family: "KubeDeploymentReplicas" });
  return [
    {
      name: "all pods Pending: critical after 2 minutes, without any scrape target",
      interval: "1m",
      input_series: [...ksm("api", 3, 0), ...pending("api", 3), ...ksm("web", 3, 2), ...ksm("paused", 0, 0)],
      alert_rule_test: [
        { eval_time: "1m", alertname: "KubeDeploymentUnavailable", exp_alerts: [] },
        { eval_time: "3m", alertname: "KubeDeploymentUnavailable", exp_alerts: [{ exp_labels: crit1 }] },
        { eval_time: "3m", alertname: "TargetDown", exp_alerts: [] },
        { eval_time: "9m", alertname: "KubeDeploymentReplicasUnavailable", exp_alerts: [] },
        // web has one replica missing (warning only); paused is scaled to zero on purpose (silent).
        { eval_time: "12m", alertname: "KubeDeploymentReplicasUnavailable", exp_alerts: [{ exp_labels: warn1("api") }, { exp_labels: warn1("web") }] },
        { eval_time: "12m", alertname: "KubeDeploymentUnavailable", exp_alerts: [{ exp_labels: crit1 }] },
      ],
    },
    {
      name: "every replica available: silent",
      interval: "1m",
      input_series: [...ksm("api", 3, 3), ...ksm("paused", 0, 0)],
      alert_rule_test: [
        { eval_time: "12m", alertname: "KubeDeploymentUnavailable", exp_alerts: [] },
        { eval_time: "12m", alertname: "KubeDeploymentReplicasUnavailable", exp_alerts: [] },
      ],
    },
  ];
}

function kubernetes(): PromtoolTestGroup[] {
  const hpa = { namespace: "platform", horizontalpodautoscaler: "api" };
  const job = { namespace: "platform", job_name: "backup-28911" };
  return [
    ...crashLoop(),
    ...deploymentAvailability(),
    ...family({
      name: "hpa maxed out",
      evalTime: "20m",
      bad: [
        { series: `kube_horizontalpodautoscaler_status_current_replicas${sel(hpa)}`, values: "10x25" },
        { series: `kube_horizontalpodautoscaler_spec_max_replicas${sel(hpa)}`, values: "10x25" },
      ],
      good: [
        { series: `kube_horizontalpodautoscaler_status_current_replicas${sel(hpa)}`, values: "4x25" },
        { series: `kube_horizontalpodautoscaler_spec_max_replicas${sel(hpa)}`, values: "10x25" },
      ],
      expect: { KubeHpaMaxedOut: [{ ...hpa, ...warn }] },
    }),
    ...family({
      name: "job failed",
      evalTime: "20m",
      bad: [{ series: `kube_job_status_failed${sel(job)}`, values: "1x25" }],
      good: [{ series: `kube_job_status_failed${sel(job)}`, values: "0x25" }],
      expect: { KubeJobFailed: [{ ...job, ...warn }] },
    }),
  ];
}

function certificates(): PromtoolTestGroup[] {
  const cert = (name: string) => ({ namespace: "platform", name });
  const day = 86400;
  const s = (name: string, expiresInDays: number) => ({
    series: `certmanager_certificate_expiration_timestamp_seconds${sel(cert(name))}`,
    values: `${expiresInDays * day}x80`,
  });
  return family({
    name: "certificates",
    evalTime: "70m",
    bad: [s("warn", 10), s("crit", 3), s("ok", 60)],
    good: [s("ok", 60)],
    expect: {
      CertificateExpiryHigh: [{ ...cert("warn"), ...warn }, { ...cert("crit"), ...warn }],
      CertificateExpiryCritical: [{ ...cert("crit"), ...crit }],
    },
  });
}

/** blackbox exporter series of a Probe: job = the Probe's jobName, instance = the probed URL. */
function probes(): PromtoolTestGroup[] {
  const url = (host: string) => ({ job: "blackbox", instance: `https://${host}/health/ready` });
  const success = (host: string, values: string) => ({ series: `probe_success${sel(url(host))}`, values });
  const day = 86400;
  const expiry = (host: string, days: number) => ({ series: `probe_ssl_earliest_cert_expiry${sel(url(host))}`, values: `${days * day}x80` });
  const inst = (host: string) => ({ instance: url(host).instance });
  return [
    {
      name: "endpoint down: fires after 2 minutes of failed probes, not before; a healthy URL stays silent",
      interval: "1m",
      input_series: [success("api.example.com", "1 0x10"), success("app.example.com", "1x10")],
      alert_rule_test: [
        { eval_time: "2m", alertname: "EndpointDown", exp_alerts: [] },
        { eval_time: "4m", alertname: "EndpointDown", exp_alerts: [{ exp_labels: { ...inst("api.example.com"), ...crit, alert_family: "EndpointDown" } }] },
      ],
    },
    {
      name: "endpoint up",
      interval: "1m",
      input_series: [success("app.example.com", "1x10")],
      alert_rule_test: [{ eval_time: "4m", alertname: "EndpointDown", exp_alerts: [] }],
    },
    ...family({
      name: "endpoint certificate expiry",
      evalTime: "70m",
      bad: [expiry("warn.example.com", 10), expiry("crit.example.com", 3), expiry("ok.example.com", 60)],
      good: [expiry("ok.example.com", 60)],
      expect: {
        EndpointCertificateExpiryHigh: [{ ...inst("warn.example.com"), ...warn }, { ...inst("crit.example.com"), ...warn }],
        EndpointCertificateExpiryCritical: [{ ...inst("crit.example.com"), ...crit }],
      },
    }),
  ];
}

/** SLO burn rates of the fixture's payment-gateway (availability 99.9 %, latency 99 % under 1 s). */
function slo(): PromtoolTestGroup[] {
  const svc = { job: "payment-gateway", service: "payment-gateway" };
  const labels = { service: "payment-gateway", namespace: "platform" };
  const traffic = (errorsPerThousand: number) => [
    { series: `http_requests_total${sel({ ...svc, status: "500" })}`, values: `0+${errorsPerThousand}x60` },
    { series: `http_requests_total${sel({ ...svc, status: "200" })}`, values: `0+${1000 - errorsPerThousand}x60` },
  ];
  const latency = (fastPerThousand: number) => [
    { series: `http_request_duration_seconds_bucket${sel({ ...svc, le: "1" })}`, values: `0+${fastPerThousand}x60` },
    { series: `http_request_duration_seconds_count${sel(svc)}`, values: "0+1000x60" },
  ];
  const p = { job: "paimon-api", service: "paimon-api" };
  const paimonLabels = { service: "paimon-api", namespace: "platform" };
  const series = (counter: string, histogram: string, errorsPerThousand: number, fastPerThousand: number) => [
    { series: `${counter}${sel({ ...p, status: "500" })}`, values: `0+${errorsPerThousand}x60` },
    { series: `${counter}${sel({ ...p, status: "200" })}`, values: `0+${1000 - errorsPerThousand}x60` },
    { series: `${histogram}_bucket${sel({ ...p, le: "1" })}`, values: `0+${fastPerThousand}x60` },
    { series: `${histogram}_count${sel(p)}`, values: "0+1000x60" },
  ];
  const paimon = (errors: number, fastCount: number) => series("paimon_http_requests_total", "paimon_http_request_duration_seconds", errors, fastCount);
  const defaultsAsPaimon = (errors: number, fastCount: number) => series("http_requests_total", "http_request_duration_seconds", errors, fastCount);
  return [
    // 10 % errors / 10 % slow: both the page (14.4x) and the ticket (3x) conditions hold.
    ...family({
      name: "slo fast burn",
      evalTime: "30m",
      bad: [...traffic(100), ...latency(900)],
      good: [...traffic(0), ...latency(1000)],
      expect: {
        SloAvailabilityBurnRateFast: [{ ...labels, ...crit }],
        SloAvailabilityBurnRateSlow: [{ ...labels, ...warn }],
        SloLatencyBurnRateFast: [{ ...labels, ...crit }],
        SloLatencyBurnRateSlow: [{ ...labels, ...warn }],
      },
    }),
    // paimon-api's objectives read its own prefixed series; the same burn under the default names is not its.
    ...family({
      name: "slo fast burn on seed 002's metric names",
      evalTime: "30m",
      bad: [...paimon(100, 900)],
      good: [...paimon(0, 1000), ...defaultsAsPaimon(100, 900)],
      expect: {
        SloAvailabilityBurnRateFast: [{ ...paimonLabels, ...crit }],
        SloAvailabilityBurnRateSlow: [{ ...paimonLabels, ...warn }],
        SloLatencyBurnRateFast: [{ ...paimonLabels, ...crit }],
        SloLatencyBurnRateSlow: [{ ...paimonLabels, ...warn }],
      },
    }),
    // 0.5 % errors burns the 0.1 % budget 5x: a ticket, not a page. Silent case: under 1x.
    ...family({
      name: "slo slow burn",
      evalTime: "30m",
      bad: [...traffic(5), ...latency(1000)],
      good: [...traffic(0), ...latency(1000)],
      expect: { SloAvailabilityBurnRateFast: [], SloAvailabilityBurnRateSlow: [{ ...labels, ...warn }] },
    }),
  ];
}

function watchdog(): PromtoolTestGroup[] {
  // Always firing by design, so there is no silent case: silence IS the incident the switch detects.
  return [
    {
      name: "watchdog",
      interval: "1m",
      input_series: [],
      alert_rule_test: [{ eval_time: "1m", alertname: "Watchdog", exp_alerts: [{ exp_labels: { ...info, alert_family: "Watchdog" } }] }],
    },
  ];
}

export function builtInAlertTests(): PromtoolTestGroup[] {
  return [...watchdog(), ...nodeCpu(), ...nodeMemory(), ...nodeDisk(), ...container(), ...http(), ...probes(), ...kubernetes(), ...certificates(), ...slo()];
}

/**
 * promtool compares annotations exactly; the tests assert on expressions, `for` and labels, so the copy
 * fed to `promtool test rules` drops annotations (their templates are checked by `promtool check rules`
 * and their content by the unit tests).
 */
export function withoutAnnotations<T extends { groups: Array<{ rules: Array<Record<string, unknown>> }> }>(file: T): T {
  return {
    ...file,
    groups: file.groups.map((g) => ({ ...g, rules: g.rules.map(({ annotations: _a, ...r }) => r) })),
  };
}
