import { elasticacheEncryption, kmsRotation, noWorldIngress, rdsSafety, s3PublicAccessBlock } from "../../policies/rules/aws";
import { violations } from "../helpers/policy";

describe("aws-no-world-ingress", () => {
  const sg = (ingress: unknown[]) => ({ type: "aws:ec2/securityGroup:SecurityGroup", props: { ingress } });
  it("allows the load balancer on 80/443 and private sources on any port", () => {
    expect(
      violations(noWorldIngress, sg([
        { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
        { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] },
        { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.0.0.0/16"] },
      ])),
    ).toEqual([]);
  });
  it("rejects a data store port open to the world", () => {
    expect(violations(noWorldIngress, sg([{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }]))).toEqual([
      "0.0.0.0/0 may reach ports 5432-5432; only 80 and 443 may be open to the world",
    ]);
  });
  it("rejects all-protocol world rules in standalone rule resources", () => {
    const rule = { type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", props: { ipProtocol: "-1", cidrIpv6: "::/0" } };
    expect(violations(noWorldIngress, rule)).toEqual(["::/0 may reach ports all; only 80 and 443 may be open to the world"]);
  });
});

describe("aws-rds-safety", () => {
  const rds = (props: Record<string, unknown>, protect = false) => ({ type: "aws:rds/instance:Instance", props, protect });
  it("accepts a protected, encrypted, private prod instance", () => {
    const props = { storageEncrypted: true, deletionProtection: true, skipFinalSnapshot: false, tags: { Environment: "prod" } };
    expect(violations(rdsSafety, rds(props, true))).toEqual([]);
  });
  it("rejects an unprotected prod instance", () => {
    const props = { storageEncrypted: false, publiclyAccessible: true, skipFinalSnapshot: true, tags: { Environment: "prod" } };
    expect(violations(rdsSafety, rds(props))).toEqual([
      "storage is not encrypted (storageEncrypted must be true)",
      "instance is publicly accessible",
      "production instance without deletionProtection",
      "production instance skips its final snapshot",
      "production instance is not protected (resource option protect: true)",
    ]);
  });
  it("does not require deletion protection outside prod", () => {
    expect(violations(rdsSafety, rds({ storageEncrypted: true, tags: { Environment: "staging" } }))).toEqual([]);
  });
});

describe("encryption guardrails", () => {
  it("ElastiCache needs at-rest, in-transit encryption and an auth token", () => {
    const type = "aws:elasticache/replicationGroup:ReplicationGroup";
    expect(violations(elasticacheEncryption, { type, props: { atRestEncryptionEnabled: true, transitEncryptionEnabled: true, authToken: "x" } })).toEqual([]);
    expect(violations(elasticacheEncryption, { type, props: {} })).toEqual(["at-rest encryption is off", "in-transit encryption is off", "no auth token"]);
  });
  it("S3 public access blocks set all four flags", () => {
    const type = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
    const all = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
    expect(violations(s3PublicAccessBlock, { type, props: all })).toEqual([]);
    expect(violations(s3PublicAccessBlock, { type, props: { ...all, blockPublicPolicy: false } })).toEqual(["blockPublicPolicy is not true"]);
  });
  it("KMS keys rotate", () => {
    expect(violations(kmsRotation, { type: "aws:kms/key:Key", props: { enableKeyRotation: true } })).toEqual([]);
    expect(violations(kmsRotation, { type: "aws:kms/key:Key", props: {} })).toEqual(["key rotation is off (enableKeyRotation must be true)"]);
  });
});
