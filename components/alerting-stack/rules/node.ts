import type { RuleGroup } from "../../lib/alerts";
import type { AlertThresholds } from "../thresholds";
import { thresholdPair } from "./pair";

/**
 * Node (node-exporter) and container (cAdvisor + kube-state-metrics) resource alerts. Node metrics use
 * instance-level aggregation so one busy core does not page; container alerts compare usage with the
 * container's limit, which is what gets a pod throttled or OOM-killed.
 */
export function nodeRules(t: AlertThresholds): RuleGroup[] {
  const cpuExpr = `100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])))`;
  const memExpr = `100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)`;
  // Pseudo filesystems (tmpfs, overlay) are not where data lives and fill by design.
  const fs = `fstype!~"tmpfs|overlay|squashfs|ramfs|nsfs",mountpoint!~"/run.*|/var/lib/docker/.+"`;
  const diskExpr = `100 * (1 - node_filesystem_avail_bytes{${fs}} / node_filesystem_size_bytes{${fs}})`;
  return [
    {
      name: "platform-node",
      rules: [
        ...thresholdPair({
          base: "NodeCpuUsage",
          expr: (v) => `${cpuExpr} > ${v}`,
          thresholds: t.cpuPercent,
          for: { warning: "10m", critical: "5m" },
          summary: "Node {{ $labels.instance }} CPU usage is high",
          description: (v) => `CPU usage on {{ $labels.instance }} is {{ $value | printf "%.1f" }}% (threshold ${v}%).`,
        }),
        ...thresholdPair({
          base: "NodeMemoryUsage",
          expr: (v) => `${memExpr} > ${v}`,
          thresholds: t.memoryPercent,
          for: { warning: "10m", critical: "5m" },
          summary: "Node {{ $labels.instance }} memory usage is high",
          description: (v) => `Memory in use on {{ $labels.instance }} is {{ $value | printf "%.1f" }}% (threshold ${v}%).`,
        }),
        ...thresholdPair({
          base: "NodeDiskUsage",
          expr: (v) => `${diskExpr} > ${v}`,
          thresholds: t.diskPercent,
          for: { warning: "15m", critical: "5m" },
          summary: "Filesystem {{ $labels.mountpoint }} on {{ $labels.instance }} is filling up",
          description: (v) =>
            `Filesystem {{ $labels.mountpoint }} on {{ $labels.instance }} is {{ $value | printf "%.1f" }}% full (threshold ${v}%).`,
        }),
      ],
    },
    {
      name: "platform-container",
      rules: [
        ...thresholdPair({
          base: "ContainerCpuUsage",
          expr: (v) =>
            `100 * sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{container!=""}[5m])) / sum by (namespace, pod, container) (kube_pod_container_resource_limits{resource="cpu"}) > ${v}`,
          thresholds: t.cpuPercent,
          for: { warning: "15m", critical: "10m" },
          summary: "Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} is near its CPU limit",
          description: (v) =>
            `Container {{ $labels.container }} in {{ $labels.namespace }}/{{ $labels.pod }} uses {{ $value | printf "%.1f" }}% of its CPU limit (threshold ${v}%) and will be throttled.`,
        }),
        ...thresholdPair({
          base: "ContainerMemoryUsage",
          expr: (v) =>
            `100 * sum by (namespace, pod, container) (container_memory_working_set_bytes{container!=""}) / sum by (namespace, pod, container) (kube_pod_container_resource_limits{resource="memory"}) > ${v}`,
          thresholds: t.memoryPercent,
          for: { warning: "15m", critical: "5m" },
          summary: "Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} is near its memory limit",
          description: (v) =>
            `Container {{ $labels.container }} in {{ $labels.namespace }}/{{ $labels.pod }} uses {{ $value | printf "%.1f" }}% of its memory limit (threshold ${v}%) and risks an OOM kill.`,
        }),
      ],
    },
  ];
}
