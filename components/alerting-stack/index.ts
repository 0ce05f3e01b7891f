import * as pulumi from "@pulumi/pulumi";
import type * as docker from "@pulumi/docker";
import type * as k8s from "@pulumi/kubernetes";
import type * as random from "@pulumi/random";
import type { MonitoredService } from "../lib/contracts";
import type { GrafanaDatasource } from "../lib/datasources";
import type { MonitoringBundle } from "../lib/monitoring";
import type { PlatformContext } from "../lib/platform";
import type { Transforms } from "../lib/transform";
import { Problems } from "../lib/validation";
import { registerDocker, DOCKER_SECRET_DIR, type DockerImages } from "./docker";
import type { DockerHostPorts } from "./host-ports";
import { registerKubernetes, k8sSecretDir } from "./kubernetes";
import type { Receiver } from "./receivers";
import { renderAlerting, builtInAlertNames, builtInAlertFamilies, type RenderedAlerting } from "./render";
import { familiesOf, mergeFamilies, type DurationOverrides } from "./durations";
import type { AlertRoutes } from "./routes";
import type { AlertGrouping } from "./grouping";
import type { CustomRule } from "./rules/custom";
import type { ThresholdOverrides } from "./thresholds";
import {
  bundlesBySource,
  checkAlertingSpec,
  checkProbeTargets,
  checkRuleSources,
  checkHostPorts,
  checkServices,
  requireTargetContext,
} from "./validate";

export type { AlertRoutes } from "./routes";
export { DEFAULT_GROUPING, MAX_REPEAT_INTERVAL, resolveGrouping, type AlertGrouping, type ResolvedGrouping, type RouteTiming, type WatchdogTiming } from "./grouping";
export type { Receiver, ReceiverType } from "./receivers";
export type { CustomRule } from "./rules/custom";
export type { AlertThresholds, ThresholdOverrides } from "./thresholds";
export { DEFAULT_THRESHOLDS } from "./thresholds";
export { KUBE_PROMETHEUS_STACK_VERSION } from "./kubernetes";
export { DOCKER_IMAGES } from "./docker";
export { DEFAULT_HOST_PORTS, type DockerHostPorts } from "./host-ports";
export { buildAlertmanagerConfig } from "./routes";
export { renderAlerting, builtInAlertNames, builtInAlertFamilies } from "./render";
export { durationsFor, familiesOf, mergeFamilies, type DurationOverrides } from "./durations";

/** Type token. Never change it (it is part of every child's URN). */
export const ALERTING_STACK_TYPE = "platform:alerting:AlertingStack";

/** A receiver plus its credential (a Pulumi secret), which is only ever written to a file. */
export type ReceiverWithSecret = Receiver & {
  /** Slack webhook URL / SMTP password / PagerDuty routing key / WeChat secret / webhook bearer token. */
  secret: pulumi.Input<string>;
};

/** Child roles a `transforms` entry may adjust. */
export type AlertingStackRole =
  | "namespace"
  | "grafanaPassword"
  | "grafanaSecret"
  | "receiverSecret"
  | "chart"
  | "rules"
  | "dashboard"
  | "prometheus"
  | "alertmanager"
  | "grafana"
  | "prometheusData"
  | "grafanaData"
  | "nodeExporter"
  | "cadvisor"
  | "blackbox"
  | "probe"
  | "certManagerMonitor";

export interface AlertingStackArgs {
  /**
   * Notification receivers (Slack, email, PagerDuty, WeChat Work, webhook) with their secrets.
   * @example [{ name: "pager", type: "pagerduty", secret: cfg.requireSecret("pagerdutyKey") }]
   */
  receivers: ReceiverWithSecret[];
  /**
   * Which receivers each severity notifies; every name must be a declared receiver.
   * @example { critical: ["pager", "critical-chat", "oncall-email"], warning: ["monitoring-chat"], info: ["ops-digest"], watchdog: "deadman" }
   */
  routes: AlertRoutes;
  /**
   * Alertmanager grouping and timing: the top-level keys are the root route's and every severity route inherits
   * them unless it sets its own; unset keys take the severity's default. The watchdog route inherits nothing.
   * @default DEFAULT_GROUPING (critical 0s/1m/15m, warning 30s/5m/1h, info 5m/1h/24h, grouped by alertname,
   * environment, namespace and service)
   * @example { groupBy: ["alertname", "environment", "service"], groupWait: "10s", groupInterval: "10s", repeatInterval: "1h", critical: { groupWait: "0s", repeatInterval: "15m" } }
   */
  grouping?: AlertGrouping;
  /** Overrides of the built-in thresholds. @default DEFAULT_THRESHOLDS (payment-platform table) */
  thresholds?: ThresholdOverrides;
  /**
   * `for` of alerts per alert family (the `alert_family` label), all levels or per level: the built-in families
   * and those of the `monitoring` bundles' rules (database, backup alerts). A family neither has is refused.
   * @default each rule's own duration
   * @example { NodeCpuUsage: "2m", NodeDiskUsage: "1m", PostgresDown: "3m", BackupStale: "30m" }
   */
  durations?: DurationOverrides;
  /** Business alerts declared by the stack (risk level, liquidity, queue lag, payment success rate). @default [] */
  customRules?: CustomRule[];
  /** HTTP services: each gets a RED dashboard; those with objectives get SLO burn-rate alerts. @default [] */
  services?: MonitoredService[];
  /**
   * Rules, dashboards and scrape targets of other components: one bundle, or bundles by source name
   * (each source becomes its own PrometheusRule / rule file). @default {}
   */
  monitoring?: MonitoringBundle | Record<string, MonitoringBundle>;
  /**
   * Public URLs probed from outside by the blackbox exporter (HTTP 2xx over valid TLS, certificate expiry):
   * EndpointDown and EndpointCertificateExpiry alert on them. The stack passes every service's ingress URL.
   * @default [] (no exporter is installed)
   * @example ["https://app.example.com/api/health", "https://api.example.com/health/ready"]
   */
  probeTargets?: string[];
  /**
   * Kubernetes: namespace where cert-manager runs; a ServiceMonitor scrapes its controller so the
   * CertificateExpiry alerts have data. The stack sets it when the foundation installs the edge.
   * @default undefined (cert-manager is not scraped)
   */
  certManagerNamespace?: string;
  /**
   * Grafana datasources of other modules (Loki from the log pipeline, Jaeger from the trace pipeline), provisioned
   * beside Prometheus. @default []
   */
  datasources?: GrafanaDatasource[];
  /** Prometheus TSDB retention. @default "15d" @example "200h" */
  retention?: string;
  /**
   * Prometheus volume size (Kubernetes). Caution: changing it after creation needs a resizable storage class.
   * @default "50Gi"
   */
  storageSize?: string;
  /** Prometheus and Alertmanager replicas (Kubernetes). @default 1 */
  replicas?: number;
  /**
   * The cluster's control plane is managed (EKS, ACK): controller-manager, scheduler, etcd and kube-proxy
   * cannot be scraped, so their scrape jobs and default alerts are turned off.
   * @default false
   */
  managedControlPlane?: boolean;
  /**
   * Namespace the monitoring stack is installed into (Kubernetes).
   * Caution: changing it replaces every monitoring resource.
   * @default "monitoring"
   */
  namespace?: string;
  /**
   * Docker target: host ports (on 127.0.0.1) the Prometheus, Alertmanager and Grafana UIs are published on.
   * @default DEFAULT_HOST_PORTS ({ prometheus: 9090, alertmanager: 9093, grafana: 3000 })
   * @example { grafana: 3300 }
   */
  hostPorts?: Partial<DockerHostPorts>;
  /** Pinned images of the Docker target. @default DOCKER_IMAGES */
  images?: Partial<DockerImages>;
  /** kube-prometheus-stack chart version. @default KUBE_PROMETHEUS_STACK_VERSION */
  chartVersion?: string;
  /** Per-child adjustments of computed args, keyed by role. */
  transforms?: Transforms<AlertingStackRole>;
}

/**
 * Validates args and renders all configuration, throwing one ValidationError naming every bad key path.
 * Pure: registers nothing. The component calls it before `super`.
 */
export function validateAlertingStackArgs(name: string, args: AlertingStackArgs, ctx: PlatformContext): RenderedAlerting {
  const problems = new Problems(`AlertingStack "${name}" args`);
  checkAlertingSpec(
    {
      receivers: args.receivers as unknown as Array<Record<string, unknown>>,
      routes: args.routes as unknown as Record<string, unknown>,
      grouping: args.grouping,
      thresholds: args.thresholds,
      durations: args.durations,
      customRules: args.customRules,
      retention: args.retention,
      storageSize: args.storageSize,
      replicas: args.replicas,
      environment: ctx.environment,
    },
    problems,
    builtInAlertNames(),
    // Durations may name the families of the bundles' rules too (database, backup alerts).
    mergeFamilies(builtInAlertFamilies(ctx.target), familiesOf(Object.values(bundlesBySource(args.monitoring)).flatMap((b) => b.ruleGroups))),
  );
  checkHostPorts(args.hostPorts, problems);
  const services = args.services ?? [];
  checkServices(services, problems);
  checkProbeTargets(args.probeTargets, problems);
  if (args.certManagerNamespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(args.certManagerNamespace)) {
    problems.add(["certManagerNamespace"], args.certManagerNamespace, "must be a namespace name (DNS label)");
  }
  const bundles = bundlesBySource(args.monitoring);
  for (const source of Object.keys(bundles)) {
    if (["builtin", "custom", "slo"].includes(source) || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(source)) {
      problems.add(["monitoring", source], source, "source names must be DNS labels other than builtin, custom and slo");
    }
  }
  checkRuleSources(
    Object.fromEntries(Object.entries(bundles).map(([s, b]) => [s, b.ruleGroups])),
    problems,
  );
  requireTargetContext(ctx, problems);
  problems.throwIfAny();

  const rendered = renderAlerting({
    environment: ctx.environment,
    target: ctx.target,
    runbookBaseUrl: ctx.runbookBaseUrl,
    thresholds: args.thresholds,
    durations: args.durations,
    customRules: args.customRules,
    services,
    bundles,
    receivers: args.receivers.map(({ secret: _secret, ...r }) => r as Receiver),
    routes: args.routes,
    ...(args.grouping ? { grouping: args.grouping } : {}),
    secretDir: ctx.target === "kubernetes" ? k8sSecretDir(name) : DOCKER_SECRET_DIR,
  });
  const uids = new Map<string, number>();
  rendered.dashboards.forEach((d, i) => {
    if (!/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/.test(d.uid)) {
      problems.add(["dashboards", i, "uid"], d.uid, "must be a DNS label of at most 40 characters");
    }
    if (uids.has(d.uid)) problems.add(["dashboards", i, "uid"], d.uid, "must be unique across dashboards");
    uids.set(d.uid, i);
  });
  problems.throwIfAny();
  return rendered;
}

/**
 * Prometheus, Alertmanager and Grafana with the platform's rules, routes and dashboards: the
 * kube-prometheus-stack chart on Kubernetes, three pinned containers on Docker (dev).
 *
 * @example
 * const alerting = new AlertingStack("alerting", {
 *   receivers: [{ name: "chat", type: "slack", channel: "#monitoring", secret: cfg.requireSecret("slackUrl") }],
 *   routes: { critical: ["chat"], warning: ["chat"], info: [] },
 *   monitoring: mergeMonitoring(db.monitoring, api.monitoring),
 * }, ctx);
 */
export class AlertingStack extends pulumi.ComponentResource {
  /** Rule files by source, as rendered (plain data, for tests and inventories). */
  readonly ruleFiles: RenderedAlerting["ruleFiles"];
  /** alertmanager.yml as rendered (secrets are files; WeChat secrets placeholders). */
  readonly alertmanagerConfig: Record<string, unknown>;
  readonly dashboards: RenderedAlerting["dashboards"];
  readonly rendered: RenderedAlerting;

  /** Kubernetes children (undefined on Docker). */
  readonly namespace?: k8s.core.v1.Namespace;
  readonly chart?: k8s.helm.v3.Release;
  readonly receiverSecret?: k8s.core.v1.Secret;
  readonly grafanaSecret?: k8s.core.v1.Secret;
  readonly prometheusRules: k8s.apiextensions.CustomResource[] = [];
  readonly dashboardConfigMaps: k8s.core.v1.ConfigMap[] = [];
  /** Blackbox exporter release and its Probe (Kubernetes, when there are probe targets). */
  readonly blackbox?: k8s.helm.v3.Release;
  readonly probe?: k8s.apiextensions.CustomResource;
  /** ServiceMonitor of cert-manager's controller metrics (Kubernetes, when certManagerNamespace is set). */
  readonly certManagerMonitor?: k8s.apiextensions.CustomResource;

  /** Docker children (undefined on Kubernetes). */
  readonly prometheusContainer?: docker.Container;
  readonly alertmanagerContainer?: docker.Container;
  readonly grafanaContainer?: docker.Container;
  /** Blackbox exporter container (Docker, when there are probe targets). */
  readonly blackboxContainer?: docker.Container;

  readonly grafanaPassword: random.RandomPassword;
  /** Grafana admin password (secret output). */
  readonly grafanaAdminPassword: pulumi.Output<string>;
  /** In-cluster / in-network URLs of the UIs. */
  readonly urls: { prometheus: pulumi.Output<string>; alertmanager: pulumi.Output<string>; grafana: pulumi.Output<string> };

  constructor(name: string, args: AlertingStackArgs, ctx: PlatformContext, opts?: pulumi.ComponentResourceOptions) {
    const rendered = validateAlertingStackArgs(name, args, ctx);
    super(ALERTING_STACK_TYPE, name, {}, opts);
    this.rendered = rendered;
    this.ruleFiles = rendered.ruleFiles;
    this.alertmanagerConfig = rendered.alertmanagerConfig;
    this.dashboards = rendered.dashboards;

    if (ctx.target === "kubernetes") {
      const k = registerKubernetes(this, name, ctx, args, rendered);
      this.namespace = k.namespace;
      this.chart = k.chart;
      this.receiverSecret = k.receiverSecret;
      this.grafanaSecret = k.grafanaSecret;
      this.prometheusRules.push(...k.prometheusRules);
      this.dashboardConfigMaps.push(...k.dashboardConfigMaps);
      this.blackbox = k.blackbox;
      this.probe = k.probe;
      this.certManagerMonitor = k.certManagerMonitor;
      this.grafanaPassword = k.grafanaPassword;
      this.urls = k.urls;
    } else {
      const d = registerDocker(this, name, ctx, args, rendered);
      this.prometheusContainer = d.prometheus;
      this.alertmanagerContainer = d.alertmanager;
      this.grafanaContainer = d.grafana;
      this.blackboxContainer = d.blackbox;
      this.grafanaPassword = d.grafanaPassword;
      this.urls = d.urls;
    }
    this.grafanaAdminPassword = pulumi.secret(this.grafanaPassword.result);
    this.registerOutputs({ urls: this.urls, grafanaAdminPassword: this.grafanaAdminPassword });
  }
}

