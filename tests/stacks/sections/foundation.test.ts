import * as pulumi from "@pulumi/pulumi";
import { installMocks, isSecretValue, outputOf, settle, type Recorder } from "../../helpers/mocks";
import type { Cloud, Environment, Target } from "../../../components/lib/platform";
import { ValidationError } from "../../../components/lib/validation";
import { profileFor } from "../../../stacks/profiles";
import { SecretConfig } from "../../../stacks/secrets";
import type { SectionContext } from "../../../stacks/sections/types";
import {
  buildFoundation, foundationRequiredSecrets, parseFoundation, planFoundation, withEdgeAlertThresholds,
} from "../../../stacks/sections/foundation";

let rec: Recorder;
beforeAll(() => {
  rec = installMocks();
});
beforeEach(() => {
  rec.clear();
  setConfig({});
});

function setConfig(values: Record<string, string>, secretKeys: string[] = []): void {
  pulumi.runtime.setAllConfig(values, secretKeys);
}

function sctx(cloud: Cloud, environment: Environment, target: Target = "kubernetes"): SectionContext {
  const root = { environment, target, cloud, namespace: "platform", project: "platform", tags: {}, runbookBaseUrl: "https://example.com/rb/", charts: {} };
  return {
    root,
    platform: { ...root, providers: {}, monitoringLabels: {} },
    profile: profileFor(environment),
    secrets: new SecretConfig("platform"),
  };
}

const EDGE = { acmeEmail: "ops@example.com" };

/** Expects planning to fail naming every `expected` fragment, and nothing to be registered. */
async function expectPlanError(run: () => unknown, expected: string[]): Promise<void> {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  for (const text of expected) expect((error as Error).message).toContain(text);
  await settle();
  expect(rec.resources).toEqual([]);
}

describe("schema defaults", () => {
  test("an empty config gets the seeds' VPC, flow logs on, a private endpoint and the edge on", () => {
    const parsed = parseFoundation({});
    expect(parsed.network).toMatchObject({ cidr: "10.0.0.0/16", flowLogs: { enabled: true, destination: "logs", retentionDays: 30 } });
    expect(parsed.cluster).toMatchObject({ kubeconfigSecret: "kubeconfig", endpointPublicAccessCidrs: [] });
    expect(parsed.edge.enabled).toBe(true);
  });

  test("unknown keys and wrong types name the key path", () => {
    expect(() => parseFoundation({ network: { cidr: "10.0.0.0/16", zone: 2 } })).toThrow(/platform:network\.zone: unknown key; did you mean "zones"\? \(allowed: cidr, zones, /);
    expect(() => parseFoundation({ network: { zones: "two" } })).toThrow(/platform:network\.zones: .*\(got "two"\)/);
    expect(() => parseFoundation({ cluster: { mode: "gke" } })).toThrow(/platform:cluster\.mode: .*\(got "gke"\)/);
  });
});

describe("planFoundation", () => {
  test("profiles decide zones and NAT per zone; the cloud decides the cluster", () => {
    const staging = planFoundation(parseFoundation({ edge: EDGE }), sctx("aws", "staging"));
    const prod = planFoundation(parseFoundation({ edge: EDGE }), sctx("aws", "prod"));
    if (!staging.enabled || !prod.enabled) throw new Error("expected plans");
    expect(staging.args.network).toMatchObject({ zones: 2, natPerZone: false });
    expect(prod.args.network).toMatchObject({ zones: 2, natPerZone: true });
    expect(staging.args.cluster).toMatchObject({ mode: "eks", deletionProtection: false, nodeSize: "medium" });
    expect(prod.args.cluster).toMatchObject({ mode: "eks", deletionProtection: true, nodeSize: "large", nodes: { min: 3, max: 10, desired: 3 } });
    expect(staging.args.edge?.acmeServer).toBe("staging");
    expect(prod.args.edge?.acmeServer).toBe("production");
    const ali = planFoundation(parseFoundation({ edge: EDGE }), sctx("alicloud", "prod"));
    expect(ali.enabled && ali.args.cluster.mode).toBe("ack");
  });

  test("the edge alerts take the services' 5xx and latency thresholds from platform:alerting.thresholds", () => {
    const plan = planFoundation(parseFoundation({ edge: EDGE }), sctx("aws", "prod"));
    const tuned = withEdgeAlertThresholds(plan, { errorRatePercent: { critical: 10 }, latencyP95Seconds: { warning: 0.5 } });
    expect(tuned.enabled && tuned.args.edge?.alertThresholds).toEqual({
      errorRatePercent: { warning: 1, critical: 10 }, latencyP95Seconds: { warning: 0.5, critical: 3 },
    });
    const defaults = withEdgeAlertThresholds(plan, undefined);
    expect(defaults.enabled && defaults.args.edge?.alertThresholds).toEqual({ errorRatePercent: { warning: 1, critical: 5 }, latencyP95Seconds: { warning: 1, critical: 3 } });
    const off = planFoundation(parseFoundation({ edge: { enabled: false } }), sctx("aws", "prod"));
    expect(withEdgeAlertThresholds(off, { errorRatePercent: { critical: 10 } })).toEqual(off);
  });

  test("the docker target builds no foundation", async () => {
    const plan = planFoundation(parseFoundation({}), sctx("none", "dev", "docker"));
    expect(plan).toEqual({ enabled: false });
    expect(foundationRequiredSecrets(parseFoundation({}), { cloud: "none", target: "docker" })).toEqual([]);
    const built = buildFoundation(plan, sctx("none", "dev", "docker"));
    await settle();
    expect(built).toEqual({ managedControlPlane: false, outputs: {} });
    expect(rec.resources).toEqual([]);
  });

  const bad: Array<[string, Cloud, Environment, Record<string, unknown>, string[]]> = [
    ["VPC too small", "aws", "staging", { network: { cidr: "10.0.0.0/26" } }, ["platform:network.cidr", '"10.0.0.0/26"', "/16 to /24"]],
    ["malformed VPC", "alicloud", "staging", { network: { cidr: "10.0.0/16" } }, ["platform:network.cidr", '"10.0.0/16"']],
    ["overlapping subnets", "aws", "staging", { network: { publicSubnetCidrs: ["10.0.1.0/24", "10.0.1.0/25"] } }, ["platform:network.publicSubnetCidrs[1]", "overlaps 10.0.1.0/24"]],
    ["prod with one zone", "aws", "prod", { network: { zones: 1 } }, ["platform:network.zones", "(got 1)"]],
    ["more zones than listed", "alicloud", "prod", { network: { zones: 3, availabilityZones: ["cn-hangzhou-h", "cn-hangzhou-i"] } }, ["platform:network.availabilityZones", "lists 2 zone(s) but zones is 3"]],
    ["eks on alicloud", "alicloud", "staging", { cluster: { mode: "eks" } }, ["platform:cluster.mode", '"eks"', "allowed: ack, existing"]],
    ["ack on aws", "aws", "staging", { cluster: { mode: "ack" } }, ["platform:cluster.mode", '"ack"', "allowed: eks, existing"]],
    ["eks without a cloud", "none", "staging", { cluster: { mode: "eks" } }, ["platform:cluster.mode", "allowed: existing"]],
    ["ACK VPC over its service CIDR", "alicloud", "staging", { network: { cidr: "172.21.0.0/16" } }, ["platform:network.cidr", "ACK service CIDR"]],
    ["world-open endpoint", "aws", "prod", { cluster: { endpointPublicAccessCidrs: ["0.0.0.0/0"] } }, ["platform:cluster.endpointPublicAccessCidrs[0]", '"0.0.0.0/0"']],
    ["node bounds", "aws", "prod", { cluster: { nodes: { min: 3, max: 2, desired: 3 } } }, ["platform:cluster.nodes"]],
    ["flow logs to a bucket on Alibaba Cloud", "alicloud", "staging", { network: { flowLogs: { destination: "bucket" } } }, ["platform:network.flowLogs.destination", '"bucket"']],
    ["CDN on Alibaba Cloud without a domain", "alicloud", "prod", { edge: { cdn: { enabled: true } } }, ["platform:edge.cdn.domain", "required on Alibaba Cloud"]],
  ];
  test.each(bad)("%s fails at plan time with the key path", async (_label, cloud, env, raw, expected) => {
    await expectPlanError(() => planFoundation(parseFoundation({ edge: EDGE, ...raw, ...(raw.edge ? { edge: { ...EDGE, ...(raw.edge as object) } } : {}) }), sctx(cloud, env)), expected);
  });

  test("missing ACME e-mail names platform:edge.acmeEmail unless the edge is off", async () => {
    await expectPlanError(() => planFoundation(parseFoundation({}), sctx("aws", "staging")), ["platform:edge.acmeEmail"]);
    expect(planFoundation(parseFoundation({ edge: { enabled: false } }), sctx("aws", "staging")).enabled).toBe(true);
  });

  test("zone names must belong to the configured region", async () => {
    setConfig({ "aws:region": "eu-west-1" });
    await expectPlanError(
      () => planFoundation(parseFoundation({ edge: EDGE, network: { availabilityZones: ["eu-west-1a", "us-east-1b"] } }), sctx("aws", "staging")),
      ["platform:network.availabilityZones[1]", '"us-east-1b"', "region eu-west-1"],
    );
    const ok = planFoundation(parseFoundation({ edge: EDGE, network: { availabilityZones: ["eu-west-1a", "eu-west-1b"] } }), sctx("aws", "staging"));
    expect(ok.enabled && ok.args.network?.availabilityZones).toEqual(["eu-west-1a", "eu-west-1b"]);
  });

  test("existing needs its kubeconfig as a secret", async () => {
    const parsed = parseFoundation({ edge: EDGE });
    expect(foundationRequiredSecrets(parsed, { cloud: "none", target: "kubernetes" })).toEqual([{ key: "kubeconfig", usedBy: "platform:cluster.kubeconfigSecret" }]);
    expect(foundationRequiredSecrets(parsed, { cloud: "aws", target: "kubernetes" })).toEqual([]);
    await expectPlanError(() => planFoundation(parsed, sctx("none", "staging")), ["platform:cluster.kubeconfigSecret", "missing required secret platform:kubeconfig"]);
    setConfig({ "platform:kubeconfig": "apiVersion: v1" });
    await expectPlanError(() => planFoundation(parsed, sctx("none", "staging")), ["platform:cluster.kubeconfigSecret", "stored in plaintext"]);
  });
});

describe("buildFoundation", () => {
  test("existing: a provider from the secret kubeconfig, nothing in a cloud", async () => {
    setConfig({ "platform:ops-kubeconfig": "apiVersion: v1\nkind: Config" }, ["platform:ops-kubeconfig"]);
    const parsed = parseFoundation({ cluster: { kubeconfigSecret: "ops-kubeconfig", managedControlPlane: true }, edge: { enabled: false } });
    const built = buildFoundation(planFoundation(parsed, sctx("none", "staging")), sctx("none", "staging"));
    await settle();
    const provider = rec.one("pulumi:providers:kubernetes");
    expect(isSecretValue(provider.inputs.kubeconfig)).toBe(true);
    expect(rec.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))).toEqual([]);
    expect(built.managedControlPlane).toBe(true);
    expect(built.placement).toBeUndefined();
    expect(built.kubernetesProvider).toBeDefined();
  });

  test("switching cloud alone switches the whole foundation", async () => {
    const parsed = parseFoundation({ edge: EDGE });
    const aws = buildFoundation(planFoundation(parsed, sctx("aws", "staging")), sctx("aws", "staging"), "fa");
    await settle();
    expect(rec.byType("aws:eks/cluster:Cluster")).toHaveLength(1);
    expect(rec.resources.some((r) => r.type.startsWith("alicloud:"))).toBe(false);
    expect(await outputOf(aws.outputs.vpcId!)).toBe("fa-network-vpc-id");
    expect(aws.managedControlPlane).toBe(true);
    expect(aws.identity?.cloud).toBe("aws");
    expect(aws.keys?.database).toBeDefined();
    expect(aws.outputs.clusterIssuer).toBe("letsencrypt-staging");
    rec.clear();
    const ali = buildFoundation(planFoundation(parsed, sctx("alicloud", "staging")), sctx("alicloud", "staging"), "fb");
    await settle();
    expect(rec.byType("alicloud:cs/managedKubernetes:ManagedKubernetes")).toHaveLength(1);
    expect(rec.resources.some((r) => r.type.startsWith("aws:"))).toBe(false);
    expect(ali.identity?.cloud).toBe("alicloud");
    expect(ali.placement?.subnetIds).toHaveLength(2);
  });
});
