import { dockerContainerRules } from "../../../components/alerting-stack/rules";
import { resolveThresholds } from "../../../components/alerting-stack/thresholds";
import { toPrometheusRuleFile } from "../../../components/lib/alerts";
import { promtoolCheckRules, promtoolTestRules } from "../../helpers/tools";

/**
 * Docker container alerts on cAdvisor's series, shaped as cAdvisor (raw cgroup factory, no Docker socket)
 * exposes them on a systemd-cgroup host: `id="/system.slice/docker-<id>.scope"`, CPU as a counter of seconds
 * with `cpu="total"`, limits as `container_spec_*`. Fires above the limit share, stays silent below it, for
 * containers without a limit and for non-Docker cgroups.
 */
const rules = toPrometheusRuleFile(dockerContainerRules(resolveThresholds(undefined)), "https://example.com/runbooks/");
const api = 'id="/system.slice/docker-0123abcd.scope"';
const job = 'job="cadvisor",instance="cadvisor:8080"';
const sel = (extra = "") => `{${job},${api}${extra}}`;
const ID = "/system.slice/docker-0123abcd.scope";
/** The alert promtool must report, with its annotations rendered for this container and value. */
function critical(kind: "CPU" | "memory", percent: string, threshold: number) {
  const base = kind === "CPU" ? "ContainerCpuUsage" : "ContainerMemoryUsage";
  const consequence = kind === "CPU" ? "will be throttled" : "risks an OOM kill";
  return {
    exp_labels: { id: ID, severity: "critical", priority: "P1" },
    exp_annotations: {
      summary: `Container ${ID} is near its ${kind} limit`,
      description: `Container cgroup ${ID} uses ${percent}% of its ${kind} limit (threshold ${threshold}%) and ${consequence}.`,
      runbook_url: `https://example.com/runbooks/${base}.md`,
    },
  };
}

test("the rule file is valid", () => {
  expect(promtoolCheckRules(rules)).toContain("SUCCESS");
});

test("CPU: 0.475 of a 0.5 CPU quota (95 %) fires critical after 10 min; 0.2 (40 %) stays silent", () => {
  const limits = [
    { series: `container_spec_cpu_quota${sel()}`, values: "50000x60" },
    { series: `container_spec_cpu_period${sel()}`, values: "100000x60" },
  ];
  promtoolTestRules(rules, [
    {
      interval: "1m",
      // +28.5 CPU-seconds per minute = 0.475 CPU.
      input_series: [{ series: `container_cpu_usage_seconds_total${sel(',cpu="total"')}`, values: "0+28.5x60" }, ...limits],
      alert_rule_test: [
        { eval_time: "3m", alertname: "ContainerCpuUsageCritical", exp_alerts: [] },
        { eval_time: "20m", alertname: "ContainerCpuUsageCritical", exp_alerts: [critical("CPU", "95.0", 90)] },
      ],
    },
    {
      interval: "1m",
      input_series: [{ series: `container_cpu_usage_seconds_total${sel(',cpu="total"')}`, values: "0+12x60" }, ...limits],
      alert_rule_test: [
        { eval_time: "30m", alertname: "ContainerCpuUsageHigh", exp_alerts: [] },
        { eval_time: "30m", alertname: "ContainerCpuUsageCritical", exp_alerts: [] },
      ],
    },
  ]);
});

test("memory: 1000 of 1024 MiB fires; no limit (0 on cgroup v2) and non-Docker cgroups stay silent", () => {
  const mib = 2 ** 20;
  promtoolTestRules(rules, [
    {
      interval: "1m",
      input_series: [
        { series: `container_memory_working_set_bytes${sel()}`, values: `${1000 * mib}x30` },
        { series: `container_spec_memory_limit_bytes${sel()}`, values: `${1024 * mib}x30` },
      ],
      alert_rule_test: [{ eval_time: "10m", alertname: "ContainerMemoryUsageCritical", exp_alerts: [critical("memory", "97.7", 95)] }],
    },
    {
      interval: "1m",
      input_series: [
        { series: `container_memory_working_set_bytes${sel()}`, values: `${1000 * mib}x30` },
        { series: `container_spec_memory_limit_bytes${sel()}`, values: "0x30" },
        { series: `container_memory_working_set_bytes{${job},id="/system.slice/sshd.service"}`, values: `${1000 * mib}x30` },
        { series: `container_spec_memory_limit_bytes{${job},id="/system.slice/sshd.service"}`, values: `${1024 * mib}x30` },
      ],
      alert_rule_test: [
        { eval_time: "20m", alertname: "ContainerMemoryUsageCritical", exp_alerts: [] },
        { eval_time: "20m", alertname: "ContainerMemoryUsageHigh", exp_alerts: [] },
      ],
    },
  ]);
});
