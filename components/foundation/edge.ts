import * as pulumi from "@pulumi/pulumi";
import { LIMITS } from "../lib/limits";
import * as k8s from "@pulumi/kubernetes";
import { helmChartArgs } from "../lib/charts";
import { cloudTags } from "../lib/labels";
import { providerFor, type PlatformContext } from "../lib/platform";
import { applyTransform, type Transforms } from "../lib/transform";
import { thresholdOrderProblem } from "../lib/alerts";
import type { MonitoringBundle } from "../lib/monitoring";
import { hostname, Problems } from "../lib/validation";
import { createAlicloudCdn, createAlicloudDnsRecords } from "./alicloud/cdn";
import { createAwsCdn, createAwsDnsRecords } from "./aws/cdn";
import { GATEWAY_NAMESPACE, MAX_HTTPS_LISTENERS, ROUTE_VISIBILITIES, type EdgeHost, type RouteVisibility } from "../lib/gateway";
import {
  CERT_MANAGER_NAMESPACE, certManagerValues, clusterIssuerManifest, clusterIssuerName, envoyGatewayValues,
  type AcmeServer,
} from "./edge-values";
import {
  clientTrafficPolicyManifest, envoyPodMonitorManifest, envoyProxyManifest, gatewayClassManifest, gatewayManifest,
  httpsRedirectRouteManifest, type EdgeGatewayInput,
} from "./gateway-manifests";
import { DEFAULT_EDGE_ALERT_THRESHOLDS, edgeAlertRules, type EdgeAlertThresholds } from "./edge-alerts";

export const EDGE_TYPE = "platform:foundation:Edge";

export type EdgeRole =
  | "envoy-gateway" | "cert-manager" | "cluster-issuer" | "gateway-class" | "envoy-proxy" | "gateway" | "https-redirect"
  | "client-traffic-policy" | "pod-monitor";

export interface EdgeCdnArgs {
  /** Put a CDN (CloudFront / Alibaba Cloud CDN) in front of the public Gateway. @default false */
  enabled: boolean;
  /** Public name the CDN serves. Required on Alibaba Cloud; on AWS it needs `certificateArn`. @example "www.example.com" */
  domain?: string;
  /** AWS: ACM certificate (us-east-1) for `domain`. */
  certificateArn?: string;
  /** Origin host name with a valid certificate (a host the public Gateway serves). @default the load balancer address */
  originDomain?: string;
}

export interface EdgeDnsArgs {
  /** Existing hosted zone (Route 53) or domain (Alidns), e.g. `example.com`. */
  zone: string;
  /** Record names inside the zone, pointing at the CDN when enabled, else at the load balancer. @example ["app", "api"] */
  records: string[];
}

export interface EdgeArgs {
  /** Cloud the cluster runs in: picks load balancer annotations, CDN and DNS providers. */
  cloud: "aws" | "alicloud" | "none";
  /** Let's Encrypt account e-mail (expiry notices). @example "ops@example.com" */
  acmeEmail: string;
  /** `staging` ACME server (untrusted test certificates, high limits) or `production`. @default staging outside prod */
  acmeServer: AcmeServer;
  /** Envoy proxy replicas per Gateway (the config key kept its ingress-era name). @default 2 (3 in prod) */
  ingressReplicas: number;
  /**
   * HTTPS hosts to serve, each on the public or the internal Gateway with its own listener and certificate.
   * The stacks collect them from the services' `ingress` settings. @default []
   */
  hosts?: EdgeHost[];
  /** Namespace whose HTTPRoutes may attach to the HTTPS listeners. @default the context's namespace */
  routeNamespace?: string;
  /** CIDRs that may reach the internal load balancer (the VPC block). @default none (the cloud's default) */
  internalSourceRanges?: string[];
  /** @default { enabled: false } */
  cdn?: EdgeCdnArgs;
  /** DNS records to create when a zone is given. */
  dns?: EdgeDnsArgs;
  /**
   * Thresholds of the edge's 5xx-ratio and P95-latency alerts (EdgeHttpErrorRate*, EdgeLatencyP95*). The stacks
   * pass `platform:alerting.thresholds`' errorRatePercent and latencyP95Seconds, so the edge pages at the same
   * levels as the services. @default { errorRatePercent: { warning: 1, critical: 5 }, latencyP95Seconds: { warning: 1, critical: 3 } }
   */
  alertThresholds?: EdgeAlertThresholds;
  /**
   * Resources the load balancer Services need first, e.g. the AWS Load Balancer Controller that provisions the
   * NLB (it must also outlive the Services, so their load balancers are deleted on destroy). @default []
   */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider of the cluster (from the cluster component). */
  kubernetesProvider: k8s.Provider;
  transforms?: Transforms<EdgeRole>;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const DNS_RECORD = /^(@|\*|[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** Problems of edge args under key paths relative to `prefix`. */
export function edgeProblems(args: Omit<EdgeArgs, "kubernetesProvider" | "dependsOn">, problems: Problems, prefix = ""): void {
  const p = (k: string) => (prefix ? `${prefix}.${k}` : k);
  for (const [key, pair] of Object.entries(args.alertThresholds ?? {})) {
    const values = [pair.warning, pair.critical];
    if (!values.every((v) => typeof v === "number" && Number.isFinite(v) && v > 0)) {
      problems.add(p(`alertThresholds.${key}`), pair, "must be positive numbers");
      continue;
    }
    if (key === "errorRatePercent" && values.some((v) => v > 100)) problems.add(p(`alertThresholds.${key}`), pair, "must be percentages up to 100");
    const order = thresholdOrderProblem(pair, true);
    if (order) problems.add(p(`alertThresholds.${key}`), pair, order);
  }
  if (!EMAIL.test(args.acmeEmail)) problems.add(p("acmeEmail"), args.acmeEmail, "must be an e-mail address Let's Encrypt can write to");
  if (!Number.isInteger(args.ingressReplicas) || args.ingressReplicas < 1 || args.ingressReplicas > LIMITS.ingressReplicas) {
    problems.add(p("ingressReplicas"), args.ingressReplicas, `must be a whole number from 1 to ${LIMITS.ingressReplicas}`);
  }
  const seen = new Map<string, EdgeHost>();
  (args.hosts ?? []).forEach((h, i) => {
    const at = [...p("hosts").split("."), i];
    if (!hostname.safeParse(h.host).success) problems.add([...at, "host"], h.host, "must be a host name like app.example.com");
    const before = seen.get(h.host);
    if (before) problems.add([...at, "host"], h.host, "is listed twice; each host gets one listener and one certificate");
    seen.set(h.host, h);
  });
  for (const visibility of ROUTE_VISIBILITIES) {
    const count = (args.hosts ?? []).filter((h) => h.visibility === visibility).length;
    if (count > MAX_HTTPS_LISTENERS) problems.add(p("hosts"), count, `puts ${count} ${visibility} hosts on one Gateway; a Gateway holds at most ${MAX_HTTPS_LISTENERS} HTTPS listeners`);
  }
  const cdn = args.cdn;
  if (cdn?.enabled) {
    if (args.cloud === "none") problems.add(p("cdn.enabled"), true, "needs cloud aws or alicloud");
    if (cdn.domain !== undefined && !hostname.safeParse(cdn.domain).success) problems.add(p("cdn.domain"), cdn.domain, "must be a host name like www.example.com");
    if (cdn.originDomain !== undefined && !hostname.safeParse(cdn.originDomain).success) problems.add(p("cdn.originDomain"), cdn.originDomain, "must be a host name like origin.example.com");
    if (args.cloud === "alicloud" && !cdn.domain) problems.add(p("cdn.domain"), cdn.domain, "is required on Alibaba Cloud (the CDN accelerates a named domain)");
    if (args.cloud === "aws" && cdn.domain && !cdn.certificateArn) {
      problems.add(p("cdn.certificateArn"), cdn.certificateArn, "is required with cdn.domain on AWS (an ACM certificate in us-east-1)");
    }
    if (cdn.certificateArn !== undefined && !/^arn:aws[-a-z]*:acm:us-east-1:\d{12}:certificate\/[-a-f0-9]+$/.test(cdn.certificateArn)) {
      problems.add(p("cdn.certificateArn"), cdn.certificateArn, "must be an ACM certificate ARN in us-east-1 (CloudFront only reads certificates there)");
    }
  }
  if (args.dns) {
    if (args.cloud === "none") problems.add(p("dns"), args.dns, "needs cloud aws or alicloud");
    if (!hostname.safeParse(args.dns.zone).success) problems.add(p("dns.zone"), args.dns.zone, "must be a domain like example.com");
    if (args.dns.records.length === 0) problems.add(p("dns.records"), args.dns.records, "must list at least one record name");
    args.dns.records.forEach((r, i) => {
      if (!DNS_RECORD.test(r)) problems.add([...p("dns.records").split("."), i], r, "must be a record name inside the zone like app, api or @");
      else if (r === "@" && args.cloud === "aws") problems.add([...p("dns.records").split("."), i], r, "the zone apex cannot be a CNAME on Route 53; use a subdomain");
    });
  }
}

export function validateEdgeArgs(name: string, args: EdgeArgs): void {
  const problems = new Problems(`Edge "${name}" args`);
  edgeProblems(args, problems);
  problems.throwIfAny();
}

/** The objects of one Gateway (public or internal). */
export interface EdgeGateway {
  envoyProxy: k8s.apiextensions.CustomResource;
  gateway: k8s.apiextensions.CustomResource;
  httpsRedirect: k8s.apiextensions.CustomResource;
  clientTrafficPolicy: k8s.apiextensions.CustomResource;
}

/**
 * The Gateway API edge: Envoy Gateway (controller, Gateway API and Envoy Gateway CRDs) and cert-manager with its
 * Gateway integration and a Let's Encrypt ClusterIssuer; a public Gateway behind an internet-facing load balancer
 * and, when a host asks for it, an internal Gateway behind a private one; optionally a CDN and DNS records in
 * front. Services attach HTTPRoutes to these Gateways (components/lib/gateway.ts names them).
 */
export class Edge extends pulumi.ComponentResource {
  readonly envoyGateway: k8s.helm.v3.Release;
  readonly certManager: k8s.helm.v3.Release;
  readonly clusterIssuer: k8s.apiextensions.CustomResource;
  readonly gatewayClass: k8s.apiextensions.CustomResource;
  /** Per visibility; `internal` only when a host is internal. */
  readonly gateways: Partial<Record<RouteVisibility, EdgeGateway>>;
  readonly podMonitor: k8s.apiextensions.CustomResource;
  /** The edge's alert rules (5xx ratio and latency per Gateway) for the AlertingStack. */
  readonly monitoring: MonitoringBundle;
  /** Name of the ClusterIssuer the Gateways' certificates come from. */
  readonly clusterIssuerName: string;
  /** Public load balancer host name (AWS) or address (Alibaba Cloud), from the public Gateway's status. */
  readonly ingressEndpoint: pulumi.Output<string>;
  readonly cdnDomain?: pulumi.Output<string>;

  constructor(name: string, args: EdgeArgs, ctx: PlatformContext, opts: pulumi.ComponentResourceOptions = {}) {
    validateEdgeArgs(name, args);
    super(EDGE_TYPE, name, {}, opts);
    const t = args.transforms;
    const k = { parent: this, provider: args.kubernetesProvider };

    this.envoyGateway = new k8s.helm.v3.Release(`${name}-envoy-gateway`, applyTransform(t, "envoy-gateway", {
      ...helmChartArgs("envoy-gateway", ctx.charts),
      namespace: GATEWAY_NAMESPACE,
      createNamespace: true,
      values: envoyGatewayValues({ replicas: args.ingressReplicas }),
    }), k);
    // cert-manager watches Gateways only if their CRDs exist when it starts: install it after Envoy Gateway.
    this.certManager = new k8s.helm.v3.Release(`${name}-cert-manager`, applyTransform(t, "cert-manager", {
      ...helmChartArgs("cert-manager", ctx.charts),
      namespace: CERT_MANAGER_NAMESPACE,
      createNamespace: true,
      values: certManagerValues(),
    }), { ...k, dependsOn: [this.envoyGateway] });
    const issuer = clusterIssuerManifest(args.acmeServer, args.acmeEmail);
    this.clusterIssuerName = clusterIssuerName(args.acmeServer);
    this.clusterIssuer = new k8s.apiextensions.CustomResource(`${name}-cluster-issuer`, applyTransform(t, "cluster-issuer", issuer), {
      ...k,
      dependsOn: [this.certManager],
    });
    const crds = { ...k, dependsOn: [this.envoyGateway] };
    this.gatewayClass = new k8s.apiextensions.CustomResource(`${name}-gateway-class`, applyTransform(t, "gateway-class", gatewayClassManifest()), crds);

    const hosts = args.hosts ?? [];
    this.gateways = {};
    for (const visibility of ROUTE_VISIBILITIES) {
      const mine = hosts.filter((h) => h.visibility === visibility);
      if (visibility === "internal" && mine.length === 0) continue;
      const input: EdgeGatewayInput = {
        cloud: args.cloud,
        visibility,
        replicas: args.ingressReplicas,
        hosts: mine,
        routeNamespace: args.routeNamespace ?? ctx.namespace,
        clusterIssuer: this.clusterIssuerName,
        internalSourceRanges: args.internalSourceRanges,
        behindCdn: args.cdn?.enabled === true,
      };
      const child = (role: EdgeRole, suffix: string, manifest: object, extra: pulumi.Resource[] = []) =>
        new k8s.apiextensions.CustomResource(`${name}-${visibility}-${suffix}`, applyTransform(t, role, manifest as k8s.apiextensions.CustomResourceArgs), {
          ...k,
          dependsOn: [this.envoyGateway, ...(args.dependsOn ?? []), ...extra],
        });
      const envoyProxy = child("envoy-proxy", "envoy-proxy", envoyProxyManifest(input));
      // `status` is listed so the provider returns it: the load balancer address is published there.
      const gateway = child("gateway", "gateway", { ...gatewayManifest(input), status: undefined }, [this.gatewayClass, envoyProxy, this.certManager]);
      const httpsRedirect = child("https-redirect", "https-redirect", httpsRedirectRouteManifest(visibility), [gateway]);
      const clientTrafficPolicy = child("client-traffic-policy", "client-traffic-policy", clientTrafficPolicyManifest(input), [gateway]);
      this.gateways[visibility] = { envoyProxy, gateway, httpsRedirect, clientTrafficPolicy };
    }
    this.podMonitor = new k8s.apiextensions.CustomResource(`${name}-pod-monitor`, applyTransform(t, "pod-monitor", envoyPodMonitorManifest(ctx.monitoringLabels)), crds);
    this.monitoring = { ruleGroups: edgeAlertRules(args.alertThresholds ?? DEFAULT_EDGE_ALERT_THRESHOLDS), dashboards: [], scrapeTargets: [] };

    const status = (this.gateways.public!.gateway as unknown as { status: pulumi.Output<{ addresses?: Array<{ value?: string }> } | undefined> }).status;
    this.ingressEndpoint = pulumi.output(status).apply((s) => s?.addresses?.[0]?.value ?? "");

    const tags = cloudTags(ctx, "edge");
    let target: pulumi.Output<string> = this.ingressEndpoint;
    if (args.cdn?.enabled && args.cloud === "aws") {
      const o = { parent: this, ...providerFor(ctx, "aws") };
      const dist = createAwsCdn(name, { originDomain: args.cdn.originDomain ?? this.ingressEndpoint, domain: args.cdn.domain, certificateArn: args.cdn.certificateArn, tags }, o);
      this.cdnDomain = dist.domainName;
      target = dist.domainName;
    } else if (args.cdn?.enabled && args.cloud === "alicloud") {
      const o = { parent: this, ...providerFor(ctx, "alicloud") };
      const cdn = createAlicloudCdn(name, { domain: args.cdn.domain!, origin: args.cdn.originDomain ?? this.ingressEndpoint, tags }, o);
      this.cdnDomain = cdn.cname;
      target = cdn.cname;
    }
    if (args.dns && args.cloud === "aws") createAwsDnsRecords(name, { ...args.dns, target }, { parent: this, ...providerFor(ctx, "aws") });
    if (args.dns && args.cloud === "alicloud") createAlicloudDnsRecords(name, { ...args.dns, target }, { parent: this, ...providerFor(ctx, "alicloud") });
    this.registerOutputs({ ingressEndpoint: this.ingressEndpoint });
  }
}
