import type { RuleGroup } from "../../lib/alerts";
import type { AlertThresholds } from "../thresholds";
import { thresholdPair } from "./pair";

/**
 * Container resource alerts for the Docker target, on cAdvisor's own series (there is no kube-state-metrics):
 * usage against the container's cgroup limit. cAdvisor runs without the Docker socket (least privilege), so a
 * container is identified by its cgroup `id` (`/system.slice/docker-<container id>.scope` or `/docker/<id>`);
 * `docker ps --no-trunc` maps it to a name. Containers without a limit are left out (nothing to compare with).
 */
export const DOCKER_CGROUP = `id=~"/(docker/|system\\\\.slice/docker-).+"`;

export function dockerContainerRules(t: AlertThresholds): RuleGroup[] {
  const cpuUsed = `sum by (id) (rate(container_cpu_usage_seconds_total{${DOCKER_CGROUP}}[5m]))`;
  const cpuLimit = `(sum by (id) (container_spec_cpu_quota{${DOCKER_CGROUP}} > 0) / sum by (id) (container_spec_cpu_period{${DOCKER_CGROUP}} > 0))`;
  const memUsed = `max by (id) (container_memory_working_set_bytes{${DOCKER_CGROUP}})`;
  // cgroup v1 reports "no limit" as a huge number, v2 as 0: only real limits count.
  const memLimit = `max by (id) (container_spec_memory_limit_bytes{${DOCKER_CGROUP}} > 0 < 1e15)`;
  return [
    {
      name: "platform-container",
      rules: [
        ...thresholdPair({
          base: "ContainerCpuUsage",
          expr: (v) => `100 * ${cpuUsed} / ${cpuLimit} > ${v}`,
          thresholds: t.cpuPercent,
          for: { warning: "15m", critical: "10m" },
          summary: "Container {{ $labels.id }} is near its CPU limit",
          description: (v) =>
            `Container cgroup {{ $labels.id }} uses {{ $value | printf "%.1f" }}% of its CPU limit (threshold ${v}%) and will be throttled.`,
        }),
        ...thresholdPair({
          base: "ContainerMemoryUsage",
          expr: (v) => `100 * ${memUsed} / ${memLimit} > ${v}`,
          thresholds: t.memoryPercent,
          for: { warning: "15m", critical: "5m" },
          summary: "Container {{ $labels.id }} is near its memory limit",
          description: (v) =>
            `Container cgroup {{ $labels.id }} uses {{ $value | printf "%.1f" }}% of its memory limit (threshold ${v}%) and risks an OOM kill.`,
        }),
      ],
    },
  ];
}
