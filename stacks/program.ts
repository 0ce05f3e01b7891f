import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../components/lib/validation";
import { planPlatform } from "./plan";
import { buildPlatform, type Platform } from "./platform";

/** What `pulumi stack output` shows: what a human needs to reach and operate the platform. */
export interface StackOutputs {
  environment: string;
  target: string;
  cloud: string;
  /** In-cluster or Docker-network URLs of the services. */
  serviceUrls: Record<string, string | undefined>;
  /** Public hosts served through the ingress. */
  publicHosts: string[];
  /** Data store endpoints (host:port); credentials stay in secrets. */
  databaseEndpoints: Record<string, pulumi.Output<string>>;
  backupDestinations: Record<string, pulumi.Output<string> | string>;
  grafanaUrl?: pulumi.Input<string>;
  ingressEndpoint?: pulumi.Output<string>;
  /** Docker target: the public URL of each ingress host, served by the edge proxy. */
  edgeUrls?: Record<string, string>;
  clusterName?: pulumi.Output<string>;
  vpcId?: pulumi.Output<string>;
  /** Secret. */
  kubeconfig?: pulumi.Output<string>;
}

export function stackOutputs(platform: Platform, plan = { environment: "", target: "", cloud: "" }): StackOutputs {
  const { foundation, services, databases, backups, alerting } = platform;
  return {
    ...plan,
    serviceUrls: Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.url])),
    publicHosts: Object.values(services).flatMap((s) => (s.settings.ingress ? [s.settings.ingress.host] : [])),
    databaseEndpoints: Object.fromEntries(
      Object.entries(databases).map(([name, db]) => [name, pulumi.interpolate`${db.connection.host}:${db.connection.port}`]),
    ),
    backupDestinations: Object.fromEntries(Object.entries(backups).map(([name, b]) => [name, b.destinationUrl])),
    grafanaUrl: alerting.urls?.grafana,
    ingressEndpoint: foundation.outputs.ingressEndpoint,
    ...(platform.dockerEdge ? { edgeUrls: platform.dockerEdge.urls } : {}),
    clusterName: foundation.outputs.clusterName,
    vpcId: foundation.outputs.vpcId,
    kubeconfig: foundation.outputs.kubeconfig ? pulumi.secret(foundation.outputs.kubeconfig) : undefined,
  };
}

/** The whole program: load and validate config, plan every section, then build. */
export function runProgram(): StackOutputs {
  const plan = planPlatform();
  const platform = buildPlatform(plan);
  return stackOutputs(platform, { environment: plan.root.environment, target: plan.root.target, cloud: plan.root.cloud });
}

/**
 * What the Pulumi CLI reports for a failure: the CLI prints a `RunError` as its message alone, while any other
 * error is "an unhandled exception" with a stack trace. Invalid config is the user's to fix, not a crash, so a
 * ValidationError becomes a RunError with the same message; anything else is a bug and keeps its stack.
 */
export function forTheCli(err: unknown): unknown {
  return err instanceof ValidationError ? new pulumi.RunError(err.message) : err;
}

/** Entry for index.ts: `runProgram` with validation failures printed as clean messages by the CLI. */
export function runEntry(): StackOutputs {
  try {
    return runProgram();
  } catch (err) {
    throw forTheCli(err);
  }
}
