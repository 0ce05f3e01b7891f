import * as fs from "fs";
import * as path from "path";
import { allPolicies, policyNames } from "../../policies/rules/catalog";
import { type PackConfig, validatePackConfig } from "../../policies/rules/config";
import { type Exemption, loadExemptions, urnMatches } from "../../policies/rules/exemptions";
import { type Diagnostic, type PolicyInput, runPack, stackInputs, UNKNOWN } from "../helpers/policy";
import { buildStackOnce, REPO_ROOT } from "../helpers/stack";
import { SECRETS_BY_STACK } from "../stacks/fixtures";

/**
 * Every bundled stack, built once under mocks, passes the whole pack under its own policy config with zero
 * mandatory violations (exempted ones come back advisory, with their reason). The prod stacks also carry the data
 * stores the examples use (a read replica of main-db, MongoDB, Kafka), so the pack is shown to accept what the components register
 * for them without a build of its own.
 *
 * Run by tests/stacks/stacks.test.ts, which imports this file: the variants that are the bundled stacks as they
 * are (dev and staging) are the very builds that file asserts on (buildStackOnce), not second builds of them.
 */
const prodStores = (kafkaVersion: string) => ({
  databases: [
    { name: "main-db", engine: "postgres", version: "16", readReplicas: 1 },
    { name: "cache", engine: "redis", version: "7.0" },
    { name: "documents", engine: "mongodb", version: "5.0" },
  ],
  // Every prod database needs a backup the pack can see (prod-database-backup), the MongoDB store too.
  backups: [
    { name: "main-db-backup", database: "main-db" },
    { name: "cache-backup", database: "cache" },
    { name: "documents-backup", database: "documents" },
  ],
  kafka: [{ name: "events", version: kafkaVersion, topics: [{ name: "orders" }] }],
});
const variants: Array<[string, string, Record<string, unknown>]> = [
  ["dev", "dev", {}],
  ["staging-aws", "staging", {}],
  ["prod-aws", "prod", prodStores("3.7.x")],
  ["staging-alicloud", "staging", { cloud: "alicloud" }],
  ["prod-alicloud", "prod", { cloud: "alicloud", ...prodStores("2.6.2") }],
];

const results: Record<string, Diagnostic[]> = {};
const inputs: Record<string, PolicyInput[]> = {};
const configs: Record<string, PackConfig> = {};
let exemptions: Exemption[] = [];

beforeAll(async () => {
  exemptions = loadExemptions(policyNames, new Date());
  for (const stack of ["dev", "staging", "prod"]) {
    const file = path.join(REPO_ROOT, "policies/config", `${stack}.json`);
    configs[stack] = validatePackConfig(JSON.parse(fs.readFileSync(file, "utf8")), allPolicies, `policies/config/${stack}.json`);
  }
  for (const [key, stack, overrides] of variants) {
    const built = await buildStackOnce(stack, overrides, { secrets: SECRETS_BY_STACK[stack] });
    inputs[key] = stackInputs(built.recorder);
    results[key] = runPack(allPolicies, inputs[key], configs[stack], exemptions);
  }
  // The same prod stack as `pulumi preview` sees it: outputs of resources not created yet are unknown.
  const preview = await buildStackOnce("prod", prodStores("3.7.x"), { secrets: SECRETS_BY_STACK.prod, preview: true });
  inputs["prod-aws-preview"] = stackInputs(preview.recorder);
  results["prod-aws-preview"] = runPack(allPolicies, inputs["prod-aws-preview"], configs.prod, exemptions);
}, 240_000);

const show = (ds: Diagnostic[]) => ds.map((d) => `${d.policy} ${d.urn?.split("::").pop()}: ${d.message}`);

describe.each(variants.map(([key]) => key))("%s stack under its policy config", (key) => {
  it("has no mandatory violation", () => {
    expect(show(results[key].filter((d) => d.enforcementLevel === "mandatory"))).toEqual([]);
  });
});

describe("the pack judges the bundled stacks for real", () => {
  it("needs no exemption: every pod has ingress and egress policies and the backup jobs bound their disk (issue #16)", () => {
    expect(exemptions).toEqual([]);
    for (const key of variants.map(([k]) => k)) {
      const gaps = results[key].filter((d) => /^k8s-networkpolicy-|^k8s-ephemeral-storage-bounded$/.test(d.policy));
      expect({ key, gaps: show(gaps) }).toEqual({ key, gaps: [] });
    }
  });

  it("blocks a bad change to a prod stack's real registrations", () => {
    const broken = inputs["prod-aws"].map((r) =>
      r.type === "aws:rds/instance:Instance" ? { ...r, props: { ...r.props, publiclyAccessible: true, multiAz: false } } : r,
    );
    const mandatory = runPack(allPolicies, broken, configs.prod, exemptions).filter((d) => d.enforcementLevel === "mandatory");
    // The replica is judged as a replica: public access is refused, Multi-AZ is not asked of it.
    expect(show(mandatory).sort()).toEqual([
      "aws-rds-multi-az main-db-instance: production instance is not Multi-AZ",
      "aws-rds-private main-db-instance: instance is publicly accessible",
      "aws-rds-private main-db-replica-1: instance is publicly accessible",
    ]);
  });

  it("blocks a bad change to the MongoDB and Kafka stores each cloud registers", () => {
    const breakAws = (r: PolicyInput): PolicyInput => {
      if (r.type === "aws:docdb/cluster:Cluster") return { ...r, props: { ...r.props, storageEncrypted: false, backupRetentionPeriod: 1 } };
      if (r.type === "aws:msk/cluster:Cluster") return { ...r, props: { ...r.props, clientAuthentication: { unauthenticated: true } } };
      return r;
    };
    const breakAlicloud = (r: PolicyInput): PolicyInput => {
      if (r.type === "alicloud:mongodb/instance:Instance") return { ...r, props: { ...r.props, sslAction: "Close", securityIpLists: ["0.0.0.0/0"] } };
      if (r.type === "alicloud:alikafka/instance:Instance") return { ...r, props: { ...r.props, deployType: 4 } };
      return r;
    };
    const mandatory = (key: string, edit: (r: PolicyInput) => PolicyInput) =>
      show(runPack(allPolicies, inputs[key].map(edit), configs.prod, exemptions).filter((d) => d.enforcementLevel === "mandatory")).sort();
    expect(mandatory("prod-aws", breakAws)).toEqual([
      "aws-docdb-backup-retention documents-cluster: backupRetentionPeriod 1 is below 30 days",
      "aws-docdb-encrypted documents-cluster: storage is not encrypted (storageEncrypted must be true)",
      "aws-msk-client-auth events-cluster: no client authentication (SASL/SCRAM, IAM or mutual TLS) is enabled",
      "aws-msk-client-auth events-cluster: unauthenticated access is enabled",
    ]);
    expect(mandatory("prod-alicloud", breakAlicloud)).toEqual([
      "alicloud-data-store-whitelist documents-instance: whitelist contains 0.0.0.0/0",
      "alicloud-kafka-private-encrypted events-instance: deployType 4 has an internet endpoint; 5 (VPC only) required",
      "alicloud-mongodb-ssl-encrypted documents-instance: SSL is not enabled (sslAction Close)",
    ]);
  });

  it("stays quiet about values unknown during preview: the preview reports what the update reports, nothing more", () => {
    const withUnknowns = inputs["prod-aws-preview"].filter((r) => JSON.stringify(r.props).includes(UNKNOWN));
    expect(withUnknowns.map((r) => r.type)).toEqual(expect.arrayContaining(["aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup"]));
    const key = (d: Diagnostic) => `${d.enforcementLevel} ${d.policy} ${d.urn?.split("::").pop()}`;
    expect(results["prod-aws-preview"].map(key).sort()).toEqual(results["prod-aws"].map(key).sort());
  });

  it("uses every exemption: an entry that no longer matches a violation must be removed", () => {
    const exempted = Object.values(results).flat().filter((d) => d.message.includes("EXEMPTED until"));
    const unused = exemptions.filter((e) => !exempted.some((d) => d.policy === e.policy && urnMatches(e.urn, d.urn ?? "")));
    expect(unused).toEqual([]);
  });

  it("sees the managed data stores of each cloud (no check silently skipped for lack of resources)", () => {
    const types = (key: string) => new Set(inputs[key].map((r) => r.type));
    expect([...types("prod-aws")]).toEqual(expect.arrayContaining(["aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup", "aws:rds/parameterGroup:ParameterGroup"]));
    expect([...types("prod-alicloud")]).toEqual(expect.arrayContaining(["alicloud:rds/instance:Instance", "alicloud:kvstore/instance:Instance", "alicloud:cs/nodePool:NodePool", "alicloud:rds/readOnlyInstance:ReadOnlyInstance"]));
    expect([...types("prod-aws")]).toEqual(expect.arrayContaining(["aws:docdb/cluster:Cluster", "aws:docdb/clusterParameterGroup:ClusterParameterGroup", "aws:msk/cluster:Cluster"]));
    expect([...types("prod-alicloud")]).toEqual(expect.arrayContaining(["alicloud:mongodb/instance:Instance", "alicloud:alikafka/instance:Instance", "alicloud:alikafka/instanceAllowedIpAttachment:InstanceAllowedIpAttachment"]));
    const replicas = inputs["prod-aws"].filter((r) => r.type === "aws:rds/instance:Instance" && r.props.replicateSourceDb);
    expect(replicas.map((r) => r.name)).toEqual(["main-db-replica-1"]);
  });
});
