import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

/** Managed CloudFront policies (the seeds' CloudFormation uses CachingDisabled for the dynamic app). */
export const CLOUDFRONT_CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
export const CLOUDFRONT_ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

export interface AwsCdnInput {
  /** Origin host name with a certificate nginx serves (the ingress host), or the load balancer name. */
  originDomain: pulumi.Input<string>;
  /** Public name served by CloudFront; needs `certificateArn` (ACM, us-east-1). */
  domain?: string;
  certificateArn?: string;
  tags: Record<string, string>;
}

/** CloudFront in front of the ingress: HTTPS only to viewers and to the origin, caching off by default. */
export function createAwsCdn(name: string, input: AwsCdnInput, opts: pulumi.CustomResourceOptions): aws.cloudfront.Distribution {
  return new aws.cloudfront.Distribution(`${name}-cdn`, {
    enabled: true,
    httpVersion: "http2and3",
    priceClass: "PriceClass_All",
    comment: "platform edge",
    aliases: input.domain ? [input.domain] : undefined,
    origins: [{
      originId: "ingress",
      domainName: input.originDomain,
      customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] },
    }],
    defaultCacheBehavior: {
      targetOriginId: "ingress",
      viewerProtocolPolicy: "redirect-to-https",
      allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
      cachedMethods: ["GET", "HEAD"],
      cachePolicyId: CLOUDFRONT_CACHING_DISABLED,
      originRequestPolicyId: CLOUDFRONT_ALL_VIEWER_EXCEPT_HOST,
      compress: true,
    },
    restrictions: { geoRestriction: { restrictionType: "none" } },
    viewerCertificate: input.certificateArn
      ? { acmCertificateArn: input.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" }
      : { cloudfrontDefaultCertificate: true },
    tags: input.tags,
  }, opts);
}

export interface AwsDnsInput {
  zone: string;
  records: string[];
  /** Host name the records point at (load balancer or CDN). */
  target: pulumi.Input<string>;
}

/** CNAME records in an existing Route 53 hosted zone. */
export function createAwsDnsRecords(name: string, input: AwsDnsInput, opts: pulumi.CustomResourceOptions): aws.route53.Record[] {
  const zone = aws.route53.getZoneOutput({ name: input.zone, privateZone: false }, opts);
  return input.records.map((record) => new aws.route53.Record(`${name}-dns-${record}`, {
    zoneId: zone.zoneId,
    name: `${record}.${input.zone}`,
    type: "CNAME",
    ttl: 300,
    records: [input.target],
  }, opts));
}
