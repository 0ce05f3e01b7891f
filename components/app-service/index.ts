import * as pulumi from "@pulumi/pulumi";
import type { MonitoredService } from "../lib/contracts";
import { emptyMonitoring, type MonitoringBundle } from "../lib/monitoring";
import type { PlatformContext } from "../lib/platform";
import type { AppServiceArgs } from "./args";
import { type DockerChildren, dockerScrapeTarget, registerDocker } from "./docker";
import { type KubernetesChildren, registerKubernetes } from "./kubernetes";
import { probeWarnings, type ResolvedAppServiceArgs, validateAppServiceArgs } from "./validate";

export * from "./args";
export { validateAppServiceArgs, type ResolvedAppServiceArgs, type ValidateOptions } from "./validate";
export { kubernetesManifests, type KubernetesManifests, type KubernetesChildren } from "./kubernetes";
export { dockerContainerArgs, dockerNetworksFor, type DockerChildren } from "./docker";
export { DEFAULT_SECURITY_HEADERS, SECURITY_HEADER_NAMES } from "./ingress";
export * from "./shared-env";
export { GRPC_APP_PROTOCOLS, grpcRouteSchema, isGrpcPort, resolveGrpcRoutes, type GrpcRouteSettings, type ResolvedGrpcRoute } from "./grpc-route";
export { jobsSchema, jobRunHash, JOB_DEFAULTS, type JobSettings, type ResolvedJob } from "./jobs";

/** Constant type token: changing it would replace every AppService in every stack. */
export const APP_SERVICE_TYPE = "platform:app-service:AppService";

/**
 * A stateless HTTP service, worker or singleton, on Kubernetes (Deployment, Service, Ingress, HPA, PDB,
 * NetworkPolicy, ServiceMonitor) or on the local Docker engine (one hardened container), with its monitoring.
 */
export class AppService extends pulumi.ComponentResource {
  /** The validated args with every default applied. */
  readonly settings: ResolvedAppServiceArgs;
  /** Kubernetes target: the registered objects. */
  readonly kubernetes?: KubernetesChildren;
  /** Docker target: the pulled image and the container. */
  readonly docker?: DockerChildren;
  /** In-cluster (or Docker network) URL other services call, for kinds with a port. */
  readonly url?: string;
  /** Set when metrics are declared: what the AlertingStack needs for RED dashboards and SLO alerts. */
  readonly monitoredService?: MonitoredService;
  /** Alert rules, dashboards and (Docker) scrape targets this service contributes. */
  readonly monitoring: MonitoringBundle;

  constructor(name: string, args: AppServiceArgs, ctx: PlatformContext, opts?: pulumi.ComponentResourceOptions) {
    // Validate before registering anything: a bad argument must not leave a half-registered component.
    const settings = validateAppServiceArgs(name, args, ctx);
    super(APP_SERVICE_TYPE, name, {}, opts);
    this.settings = settings;
    for (const warning of probeWarnings(name, args)) pulumi.log.warn(warning, this);

    if (ctx.target === "kubernetes") this.kubernetes = registerKubernetes(this, settings, ctx);
    else this.docker = registerDocker(this, settings, ctx);

    this.url = settings.port !== undefined ? `http://${name}:${settings.port}` : undefined;
    this.monitoring = emptyMonitoring();
    if (settings.metrics) {
      this.monitoredService = {
        name,
        namespace: ctx.namespace,
        kind: settings.kind,
        // ServiceMonitor/PodMonitor (relabelled) and the Docker scrape job all use the service name as job.
        job: name,
        http: settings.httpMetrics,
        ...(settings.objectives ? { objectives: settings.objectives } : {}),
      };
      const target = ctx.target === "docker" ? dockerScrapeTarget(settings) : undefined;
      if (target) this.monitoring.scrapeTargets.push(target);
    }

    this.registerOutputs({ url: this.url });
  }
}
