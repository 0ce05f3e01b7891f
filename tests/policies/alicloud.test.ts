import { dataStoreWhitelist, noWorldIngress, ossPrivate, parsePortRange } from "../../policies/rules/alicloud";
import { violations } from "../helpers/policy";

describe("alicloud-no-world-ingress", () => {
  const rule = (portRange: string, cidrIp: string, ipProtocol = "tcp") => ({
    type: "alicloud:ecs/securityGroupRule:SecurityGroupRule",
    props: { type: "ingress", ipProtocol, portRange, cidrIp },
  });
  it("parses Alibaba Cloud port ranges", () => {
    expect(parsePortRange("80/443")).toEqual({ from: 80, to: 443 });
    expect(parsePortRange("-1/-1")).toEqual({ from: -1, to: -1 });
  });
  it("allows 443 from the world and 6379 from the VPC", () => {
    expect(violations(noWorldIngress, rule("443/443", "0.0.0.0/0"))).toEqual([]);
    expect(violations(noWorldIngress, rule("6379/6379", "10.0.0.0/16"))).toEqual([]);
  });
  it("rejects a wide range and all protocols from the world", () => {
    expect(violations(noWorldIngress, rule("80/443", "0.0.0.0/0"))).toHaveLength(1);
    expect(violations(noWorldIngress, rule("-1/-1", "0.0.0.0/0", "all"))).toEqual([
      "0.0.0.0/0 may reach ports all; only 80 and 443 may be open to the world",
    ]);
  });
});

describe("alicloud data stores and buckets", () => {
  it("whitelists stay inside private ranges", () => {
    const type = "alicloud:rds/instance:Instance";
    expect(violations(dataStoreWhitelist, { type, props: { securityIps: ["10.0.0.0/16"] } })).toEqual([]);
    expect(violations(dataStoreWhitelist, { type, props: { securityIps: ["0.0.0.0/0"] } })).toEqual(["whitelist contains 0.0.0.0/0"]);
  });
  it("OSS buckets are private and encrypted", () => {
    const type = "alicloud:oss/bucket:Bucket";
    expect(violations(ossPrivate, { type, props: { acl: "private", serverSideEncryptionRule: { sseAlgorithm: "KMS" } } })).toEqual([]);
    expect(violations(ossPrivate, { type, props: { acl: "public-read" } })).toEqual([
      'bucket ACL is "public-read"; it must be private',
      "server-side encryption is not configured",
    ]);
  });
});
