import { hasService } from "../components/app-service";
import { DEFAULT_HOST_PORTS, type DockerHostPorts } from "../components/alerting-stack/host-ports";
import { type HostPortClaim, hostPortProblems } from "../components/lib/host-ports";
import { ValidationError } from "../components/lib/validation";
import { CONFIG_NAMESPACE } from "./config";
import type { AlertingPlan } from "./sections/alerting";
import type { ServicesPlan } from "./sections/services";

/**
 * The Docker target's port plan: every host port the stack publishes, with the setting that decides it.
 * Computed at plan time so a collision ("port is already allocated") fails before anything is registered,
 * naming both claimants, instead of halfway through `pulumi up`.
 */
export interface PortPlanInput {
  services: ServicesPlan;
  alerting: AlertingPlan;
  /** Extra claims of other sections (the edge proxy's 80/443). */
  extra?: ReadonlyArray<HostPortClaim>;
}

/** Every published host port of a Docker stack, in config order. Pure. */
export function hostPortClaims(input: PortPlanInput): HostPortClaim[] {
  const claims: HostPortClaim[] = [];
  input.services.forEach((svc, i) => {
    const { kind, port, docker } = svc.args;
    if (!hasService(kind) || port === undefined) return;
    const explicit = docker?.hostPort !== undefined;
    claims.push({
      claimant: `${CONFIG_NAMESPACE}:services[${i}].${explicit ? "docker.hostPort" : "port"}`,
      what: `service ${svc.name}`,
      ip: docker?.hostIp ?? "127.0.0.1",
      port: docker?.hostPort ?? port,
    });
  });
  claims.push(...(input.extra ?? []));
  const ui: DockerHostPorts = { ...DEFAULT_HOST_PORTS, ...(input.alerting.args.hostPorts ?? {}) };
  for (const name of Object.keys(DEFAULT_HOST_PORTS) as Array<keyof DockerHostPorts>) {
    claims.push({ claimant: `${CONFIG_NAMESPACE}:alerting.hostPorts.${name}`, what: `${name} UI`, ip: "127.0.0.1", port: ui[name] });
  }
  return claims;
}

/** Throws one ValidationError listing every host-port collision of a Docker stack. */
export function assertNoHostPortCollisions(input: PortPlanInput): HostPortClaim[] {
  const claims = hostPortClaims(input);
  const problems = hostPortProblems(claims);
  if (problems.length > 0) throw new ValidationError("stack config", problems);
  return claims;
}
