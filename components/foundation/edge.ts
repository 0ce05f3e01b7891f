import * as pulumi from "@pulumi/pulumi";
import { LIMITS } from "../lib/limits";
import * as k8s from "@pulumi/kubernetes";
import { helmChartArgs } from "../lib/charts";
import { cloudTags } from "../lib/labels";
import { providerFor, type PlatformContext } from "../lib/platform";
import { applyTransform, type Transforms } from "../lib/transform";
import { hostname, Problems } from "../lib/validation";
import { createAlicloudCdn, createAlicloudDnsRecords } from "./alicloud/cdn";
import { createAwsCdn, createAwsDnsRecords } from "./aws/cdn";
import {
  CERT_MANAGER_NAMESPACE, certManagerValues, clusterIssuerManifest, clusterIssuerName, ingressNginxValues,
  type AcmeServer,
} from "./edge-values";

export const EDGE_TYPE = "platform:foundation:Edge";

export type EdgeRole = "ingress-nginx" | "cert-manager" | "cluster-issuer";

export interface EdgeCdnArgs {
  /** Put a CDN (CloudFront / Alibaba Cloud CDN) in front of the ingress. @default false */
  enabled: boolean;
  /** Public name the CDN serves. Required on Alibaba Cloud; on AWS it needs `certificateArn`. @example "www.example.com" */
  domain?: string;
  /** AWS: ACM certificate (us-east-1) for `domain`. */
  certificateArn?: string;
  /** Origin host name with a valid certificate (the ingress host). @default the load balancer address */
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
  /** ingress-nginx controller replicas. @default 2 (3 in prod) */
  ingressReplicas: number;
  /** @default { enabled: false } */
  cdn?: EdgeCdnArgs;
  /** DNS records to create when a zone is given. */
  dns?: EdgeDnsArgs;
  /** Kubernetes provider of the cluster (from the cluster component). */
  kubernetesProvider: k8s.Provider;
  transforms?: Transforms<EdgeRole>;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const DNS_RECORD = /^(@|\*|[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** Problems of edge args under key paths relative to `prefix`. */
export function edgeProblems(args: Omit<EdgeArgs, "kubernetesProvider">, problems: Problems, prefix = ""): void {
  const p = (k: string) => (prefix ? `${prefix}.${k}` : k);
  if (!EMAIL.test(args.acmeEmail)) problems.add(p("acmeEmail"), args.acmeEmail, "must be an e-mail address Let's Encrypt can write to");
  if (!Number.isInteger(args.ingressReplicas) || args.ingressReplicas < 1 || args.ingressReplicas > LIMITS.ingressReplicas) {
    problems.add(p("ingressReplicas"), args.ingressReplicas, `must be a whole number from 1 to ${LIMITS.ingressReplicas}`);
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

/**
 * ingress-nginx behind the cloud load balancer, cert-manager with a Let's Encrypt ClusterIssuer, and optionally a
 * CDN and DNS records in front.
 */
export class Edge extends pulumi.ComponentResource {
  readonly ingressNginx: k8s.helm.v3.Release;
  readonly certManager: k8s.helm.v3.Release;
  readonly clusterIssuer: k8s.apiextensions.CustomResource;
  /** Name AppService ingresses put in `cert-manager.io/cluster-issuer`. */
  readonly clusterIssuerName: string;
  /** Load balancer host name (AWS) or address (Alibaba Cloud). */
  readonly ingressEndpoint: pulumi.Output<string>;
  readonly cdnDomain?: pulumi.Output<string>;

  constructor(name: string, args: EdgeArgs, ctx: PlatformContext, opts: pulumi.ComponentResourceOptions = {}) {
    validateEdgeArgs(name, args);
    super(EDGE_TYPE, name, {}, opts);
    const t = args.transforms;
    const k = { parent: this, provider: args.kubernetesProvider };

    this.ingressNginx = new k8s.helm.v3.Release(`${name}-ingress-nginx`, applyTransform(t, "ingress-nginx", {
      ...helmChartArgs("ingress-nginx", ctx.charts),
      namespace: "ingress-nginx",
      createNamespace: true,
      values: ingressNginxValues({ cloud: args.cloud, replicas: args.ingressReplicas }),
    }), k);
    this.certManager = new k8s.helm.v3.Release(`${name}-cert-manager`, applyTransform(t, "cert-manager", {
      ...helmChartArgs("cert-manager", ctx.charts),
      namespace: CERT_MANAGER_NAMESPACE,
      createNamespace: true,
      values: certManagerValues(),
    }), k);
    const issuer = clusterIssuerManifest(args.acmeServer, args.acmeEmail);
    this.clusterIssuerName = clusterIssuerName(args.acmeServer);
    this.clusterIssuer = new k8s.apiextensions.CustomResource(`${name}-cluster-issuer`, applyTransform(t, "cluster-issuer", issuer), {
      ...k,
      dependsOn: [this.certManager, this.ingressNginx],
    });

    const service = k8s.core.v1.Service.get(
      `${name}-ingress-service`,
      pulumi.interpolate`${this.ingressNginx.status.namespace}/ingress-nginx-controller`,
      k,
    );
    this.ingressEndpoint = service.status.apply((s) => s?.loadBalancer?.ingress?.[0]?.hostname ?? s?.loadBalancer?.ingress?.[0]?.ip ?? "");

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
