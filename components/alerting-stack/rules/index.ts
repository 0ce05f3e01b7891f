import type { RuleGroup } from "../../lib/alerts";
import type { MonitoredService } from "../../lib/contracts";
import type { AlertThresholds } from "../thresholds";
import { certificateRules } from "./certificates";
import { dockerContainerRules } from "./docker-containers";
import { httpRules, targetRules } from "./http";
import { kubernetesRules } from "./kubernetes";
import { nodeRules } from "./node";
import { watchdogRules } from "./watchdog";
import { probeRules } from "../probes";

export { certificateRules } from "./certificates";
export { dockerContainerRules } from "./docker-containers";
export { customRules, type CustomRule } from "./custom";
export { httpRules, targetRules } from "./http";
export { kubernetesRules } from "./kubernetes";
export { nodeRules } from "./node";
export { sloRules, leMatcher, BURN_RATE_WINDOWS, SLO_WINDOWS } from "./slo";
export { watchdogRules, WATCHDOG_ALERT } from "./watchdog";

/**
 * The alerts the platform watches out of the box. Kubernetes workload and certificate rules only make
 * sense where kube-state-metrics and cert-manager run, so the Docker target leaves them out. Probe rules
 * are on both targets (they are silent where nothing is probed). HTTP RED alerts are per web/api service, on
 * the metric names each one exports.
 */
export function builtInRules(
  t: AlertThresholds,
  target: "kubernetes" | "docker",
  services: ReadonlyArray<MonitoredService> = [],
): RuleGroup[] {
  // Container alerts read kube-state-metrics limits on Kubernetes and cAdvisor's cgroup limits on Docker.
  const node = nodeRules(t);
  const hostAndContainers = target === "kubernetes" ? node : [...node.filter((g) => g.name !== "platform-container"), ...dockerContainerRules(t)];
  return [
    ...watchdogRules(),
    ...hostAndContainers,
    ...targetRules(),
    ...httpRules(t, services),
    ...probeRules(t),
    ...(target === "kubernetes" ? [...kubernetesRules(), ...certificateRules(t)] : []),
  ];
}
