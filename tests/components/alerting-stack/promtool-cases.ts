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
        exp_alerts: opts.expect[alertname].map((exp_labels) => ({ exp_labels })),
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

function http(): PromtoolTestGroup[] {
  const svc = (name: string) => ({ job: name, service: name });
  const traffic = (name: string, errorsPerMin: number) => [
    { series: `http_requests_total${sel({ ...svc(name), status: "500" })}`, values: `0+${errorsPerMin}x20` },
    { series: `http_requests_total${sel({ ...svc(name), status: "200" })}`, values: `0+${100 - errorsPerMin}x20` },
  ];
  // Cumulative bucket counts per minute for le = 0.5, 1, 2.5, 5, +Inf.
  const latency = (name: string, perBucket: number[]) =>
    ["0.5", "1", "2.5", "5", "+Inf"].map((le, i) => ({
      series: `http_request_duration_seconds_bucket${sel({ ...svc(name), le })}`,
      values: `0+${perBucket[i]}x20`,
    }));
  return [
    ...family({
      name: "http errors",
      evalTime: "10m",
      bad: [...traffic("warn", 2), ...traffic("crit", 10), ...traffic("ok", 0)],
      good: traffic("ok", 0),
      expect: {
        HttpErrorRateHigh: [{ ...svc("warn"), ...warn }, { ...svc("crit"), ...warn }],
        HttpErrorRateCritical: [{ ...svc("crit"), ...crit }],
      },
    }),
    ...family({
      name: "http latency",
      evalTime: "10m",
      // warn: P95 ~2.1 s; crit: P95 ~4.75 s; ok: P95 < 0.5 s.
      bad: [...latency("warn", [50, 80, 100, 100, 100]), ...latency("crit", [10, 20, 50, 100, 100]), ...latency("ok", [100, 100, 100, 100, 100])],
      good: latency("ok", [100, 100, 100, 100, 100]),
      expect: {
        HttpLatencyP95High: [{ ...svc("warn"), ...warn }, { ...svc("crit"), ...warn }],
        HttpLatencyP95Critical: [{ ...svc("crit"), ...crit }],
      },
    }),
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

function kubernetes(): PromtoolTestGroup[] {
  const pod = { namespace: "platform", pod: "api-7d9f", container: "api" };
  const deploy = { namespace: "platform", deployment: "api" };
  const hpa = { namespace: "platform", horizontalpodautoscaler: "api" };
  const job = { namespace: "platform", job_name: "backup-28911" };
  return [
    ...family({
      name: "crash looping",
      evalTime: "15m",
      bad: [{ series: `kube_pod_container_status_waiting_reason${sel({ ...pod, reason: "CrashLoopBackOff" })}`, values: "1x20" }],
      good: [{ series: `kube_pod_container_status_waiting_reason${sel({ ...pod, reason: "CrashLoopBackOff" })}`, values: "0x20" }],
      expect: { KubePodCrashLooping: [{ ...pod, ...warn }] },
    }),
    ...family({
      name: "replicas unavailable",
      evalTime: "15m",
      bad: [{ series: `kube_deployment_status_replicas_unavailable${sel(deploy)}`, values: "1x20" }],
      good: [{ series: `kube_deployment_status_replicas_unavailable${sel(deploy)}`, values: "0x20" }],
      expect: { KubeDeploymentReplicasUnavailable: [{ ...deploy, ...warn }] },
    }),
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
      alert_rule_test: [{ eval_time: "1m", alertname: "Watchdog", exp_alerts: [{ exp_labels: { ...info } }] }],
    },
  ];
}

export function builtInAlertTests(): PromtoolTestGroup[] {
  return [...watchdog(), ...nodeCpu(), ...nodeMemory(), ...nodeDisk(), ...container(), ...http(), ...kubernetes(), ...certificates(), ...slo()];
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
