import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";

export interface AlicloudCdnInput {
  /** Accelerated domain (required by Alibaba Cloud CDN). */
  domain: string;
  /** Origin: the ingress host name, or the load balancer address. */
  origin: pulumi.Input<string>;
  tags: Record<string, string>;
}

/** True for a dotted IPv4 address (SLB addresses are IPs; origins by name are `domain`). */
export function isIpv4(value: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(value);
}

/** Alibaba Cloud CDN domain fetching from the ingress over HTTPS. */
export function createAlicloudCdn(name: string, input: AlicloudCdnInput, opts: pulumi.CustomResourceOptions): alicloud.cdn.DomainNew {
  return new alicloud.cdn.DomainNew(`${name}-cdn`, {
    domainName: input.domain,
    cdnType: "web",
    sources: [{
      content: input.origin,
      type: pulumi.output(input.origin).apply((o) => (isIpv4(o) ? "ipaddr" : "domain")),
      port: 443,
      priority: 20,
      weight: 10,
    }],
    tags: input.tags,
  }, opts);
}

export interface AlicloudDnsInput {
  zone: string;
  records: string[];
  target: pulumi.Input<string>;
}

/** Alidns records: A for an SLB address, CNAME for a host name (CDN). */
export function createAlicloudDnsRecords(name: string, input: AlicloudDnsInput, opts: pulumi.CustomResourceOptions): alicloud.dns.AlidnsRecord[] {
  return input.records.map((rr) => new alicloud.dns.AlidnsRecord(`${name}-dns-${rr}`, {
    domainName: input.zone,
    rr,
    type: pulumi.output(input.target).apply((t) => (isIpv4(t) ? "A" : "CNAME")),
    value: input.target,
    ttl: 600,
  }, opts));
}
