import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as alicloud from "@pulumi/alicloud";
import { installMocks, isSecretValue, settle, unwrapSecrets, type RecordedResource, type Recorder } from "../../helpers/mocks";
import type { PlatformContext } from "../../../components/lib/platform";
import { ValidationError } from "../../../components/lib/validation";
import {
  ACME_SERVERS, CERT_MANAGER_CHART, ENVOY_GATEWAY_CHART, Foundation, type FoundationArgs,
} from "../../../components/foundation";
import { dependsOnType, worldIngressProblems } from "./checks";

type Cloud = "aws" | "alicloud";
type Env = "staging" | "prod";

let rec: Recorder;
beforeAll(() => {
  rec = installMocks({
    outputs: (a) =>
      a.type === "alicloud:cs/managedKubernetes:ManagedKubernetes"
        ? { rrsaMetadata: { enabled: true, ramOidcProviderArn: `acs:ram::1:oidc-provider/${a.name}`, rrsaOidcIssuerUrl: `https://oidc-ack.local/${a.name}` } }
        : undefined,
  });
});
// Each test clears the recorder itself (the matrix builds once per cell in its beforeAll).
beforeEach(() => {
  if (!matrixCell) rec.clear();
});
let matrixCell = false;

function ctxFor(cloud: Cloud | "none", environment: Env): PlatformContext {
  return {
    project: "platform", environment, target: "kubernetes", cloud, namespace: "platform", providers: {},
    monitoringLabels: {}, tags: { Team: "ops" }, runbookBaseUrl: "https://example.com/runbooks/",
  };
}

function argsFor(cloud: Cloud, env: Env, overrides: Partial<FoundationArgs> = {}): FoundationArgs {
  return {
    network: { cidr: "10.0.0.0/16", zones: 2, natPerZone: env === "prod", flowLogs: { enabled: true, destination: "logs", retentionDays: 30 } },
    cluster: {
      mode: cloud === "aws" ? "eks" : "ack", nodeSize: "medium", nodes: { min: 1, max: 3, desired: 2 },
      endpointPublicAccessCidrs: [], deletionProtection: env === "prod",
    },
    edge: {
      acmeEmail: "ops@example.com", acmeServer: env === "prod" ? "production" : "staging", ingressReplicas: 2,
      hosts: [
        { host: "app.example.com", visibility: "public", tlsSecretName: "app-example-com-tls" },
        { host: "admin.example.com", visibility: "internal", tlsSecretName: "admin-example-com-tls" },
      ],
    },
    ...overrides,
  };
}

async function build(cloud: Cloud, env: Env, overrides: Partial<FoundationArgs> = {}): Promise<Foundation> {
  const f = new Foundation(`f-${cloud}-${env}`, argsFor(cloud, env, overrides), ctxFor(cloud, env));
  await settle();
  return f;
}

/** Foundations with the default args, per cloud and environment, and what each registered. */
const defaultBuilds = new Map<string, { f: Foundation; resources: RecordedResource[]; calls: Recorder["calls"] }>();

/**
 * `build(cloud, env)` with the default args, built once per file: later calls put its registrations back in
 * the (cleared) recorder and return the same Foundation, so a test can read them and register more resources
 * against it. Tests that change the args use `build`.
 */
async function buildDefault(cloud: Cloud, env: Env): Promise<Foundation> {
  const key = `${cloud}/${env}`;
  const done = defaultBuilds.get(key);
  if (done) {
    rec.clear();
    rec.resources.push(...done.resources);
    rec.calls.push(...done.calls);
    return done.f;
  }
  const f = await build(cloud, env);
  defaultBuilds.set(key, { f, resources: [...rec.resources], calls: [...rec.calls] });
  return f;
}

const T = {
  aws: {
    nat: "aws:ec2/natGateway:NatGateway", key: "aws:kms/key:Key", flowLog: "aws:ec2/flowLog:FlowLog",
    cluster: "aws:eks/cluster:Cluster", sg: "aws:ec2/securityGroup:SecurityGroup", subnet: "aws:ec2/subnet:Subnet",
  },
  alicloud: {
    nat: "alicloud:vpc/natGateway:NatGateway", key: "alicloud:kms/key:Key", flowLog: "alicloud:vpc/flowLog:FlowLog",
    cluster: "alicloud:cs/managedKubernetes:ManagedKubernetes", sg: "alicloud:ecs/securityGroup:SecurityGroup", subnet: "alicloud:vpc/switch:Switch",
  },
} as const;

describe.each([
  ["aws", "staging", 1],
  ["aws", "prod", 2],
  ["alicloud", "staging", 1],
  ["alicloud", "prod", 2],
] as Array<[Cloud, Env, number]>)("Foundation on %s / %s", (cloud, env, nats) => {
  let f: Foundation;
  beforeAll(async () => {
    matrixCell = true;
    rec.clear();
    f = await buildDefault(cloud, env);
  });
  afterAll(() => {
    matrixCell = false;
  });
  test("NAT gateways follow the profile and every private subnet routes through one", async () => {
    expect(rec.byType(T[cloud].nat)).toHaveLength(nats);
    if (cloud === "aws") {
      const natRoutes = rec.byType("aws:ec2/route:Route").filter((r) => r.inputs.natGatewayId);
      expect(natRoutes).toHaveLength(2);
      expect(new Set(natRoutes.map((r) => r.inputs.natGatewayId)).size).toBe(nats);
      expect(rec.byType("aws:ec2/eip:Eip")).toHaveLength(nats);
    } else {
      const snat = rec.byType("alicloud:vpc/snatEntry:SnatEntry");
      expect(snat).toHaveLength(2);
      expect(rec.byType("alicloud:ecs/eipAddress:EipAddress")).toHaveLength(nats);
      expect(new Set(rec.byType("alicloud:vpc/routeEntry:RouteEntry").map((r) => r.inputs.nexthopId)).size).toBe(nats);
    }
    rec.assertUniqueUrns();
  });

  test("only the load balancer tier faces the internet, on 80/443; the app tier admits the LB and itself", async () => {
    expect(worldIngressProblems(rec.resources)).toEqual([]);
    const groups = rec.byType(T[cloud].sg);
    const lb = groups.find((g) => g.inputs.tags.Tier === "load-balancer")!;
    const app = groups.find((g) => g.inputs.tags.Tier === "app")!;
    expect(lb).toBeDefined();
    expect(app).toBeDefined();
    const ruleType = cloud === "aws" ? "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" : "alicloud:ecs/securityGroupRule:SecurityGroupRule";
    const rules = rec.byType(ruleType);
    const appRules = rules.filter((r) => r.inputs.securityGroupId === app.id);
    const sourceKey = cloud === "aws" ? "referencedSecurityGroupId" : "sourceSecurityGroupId";
    expect(appRules.map((r) => r.inputs[sourceKey]).sort()).toEqual([app.id, lb.id].sort());
    expect(appRules.every((r) => !r.inputs.cidrIpv4 && !r.inputs.cidrIp)).toBe(true);
    const lbPorts = rules.filter((r) => r.inputs.securityGroupId === lb.id).map((r) => r.inputs.fromPort ?? r.inputs.portRange);
    expect(lbPorts.length).toBe(4);
  });

  test("KMS keys rotate and the cluster encrypts Secrets with one of them", async () => {
    const keys = rec.byType(T[cloud].key);
    expect(keys).toHaveLength(3);
    if (cloud === "aws") {
      expect(keys.every((k) => k.inputs.enableKeyRotation === true)).toBe(true);
      const cluster = rec.one(T.aws.cluster);
      expect(cluster.inputs.encryptionConfig.resources).toEqual(["secrets"]);
      expect(keys.map((k) => k.inputs && `arn:aws:mock:::${k.name}`)).toContain(cluster.inputs.encryptionConfig.provider.keyArn);
    } else {
      expect(keys.every((k) => k.inputs.automaticRotation === "Enabled")).toBe(true);
      expect(keys.map((k) => k.id)).toContain(rec.one(T.alicloud.cluster).inputs.encryptionProviderKey);
    }
    expect(f.encryptionKeys?.database).toBeDefined();
  });

  test("flow logs are on for the VPC", async () => {
    const vpcType = cloud === "aws" ? "aws:ec2/vpc:Vpc" : "alicloud:vpc/network:Network";
    const vpc = rec.one(vpcType);
    const flow = rec.one(T[cloud].flowLog);
    if (cloud === "aws") {
      expect(flow.inputs).toMatchObject({ vpcId: vpc.id, trafficType: "ALL", logDestinationType: "cloud-watch-logs" });
      expect(flow.inputs.iamRoleArn).toBeTruthy();
    } else {
      expect(flow.inputs).toMatchObject({ resourceId: vpc.id, resourceType: "VPC", trafficType: "All" });
    }
  });

  test("nodes run in the private subnets only, carrying the app-tier group", async () => {
    const subnets = rec.byType(T[cloud].subnet);
    const priv = subnets.filter((s) => s.inputs.tags.Tier === "private").map((s) => s.id).sort();
    const pub = subnets.filter((s) => s.inputs.tags.Tier === "public").map((s) => s.id);
    expect(priv).toHaveLength(2);
    const app = rec.byType(T[cloud].sg).find((g) => g.inputs.tags.Tier === "app")!;
    if (cloud === "aws") {
      const ng = rec.one("aws:eks/nodeGroup:NodeGroup");
      expect([...ng.inputs.subnetIds].sort()).toEqual(priv);
      expect(ng.inputs.subnetIds.some((id: string) => pub.includes(id))).toBe(false);
      const lt = rec.one("aws:ec2/launchTemplate:LaunchTemplate");
      expect(lt.inputs.vpcSecurityGroupIds).toContain(app.id);
      expect(ng.inputs.launchTemplate.id).toBe(lt.id);
    } else {
      const pool = rec.one("alicloud:cs/nodePool:NodePool");
      expect([...pool.inputs.vswitchIds].sort()).toEqual(priv);
      expect(pool.inputs.securityGroupIds).toEqual([app.id]);
      expect(pool.inputs.management).toMatchObject({ enable: true, autoRepair: true });
    }
  });

  test("the API endpoint is not open to the world and the kubeconfig is a secret", async () => {
    if (cloud === "aws") {
      const c = rec.one(T.aws.cluster);
      expect(c.inputs.vpcConfig.endpointPublicAccess).toBe(false);
      expect(c.inputs.vpcConfig.publicAccessCidrs ?? []).not.toContain("0.0.0.0/0");
      expect(c.inputs.enabledClusterLogTypes).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
      expect(rec.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider").inputs.url).toBe(`https://oidc.eks.local/id/${c.name}`);
      const provider = rec.one("pulumi:providers:kubernetes");
      expect(isSecretValue(provider.inputs.kubeconfig)).toBe(true);
      expect(unwrapSecrets(provider.inputs.kubeconfig)).toContain("get-token");
    } else {
      const c = rec.one(T.alicloud.cluster);
      expect(c.inputs.slbInternetEnabled).toBe(false);
      expect(c.inputs.enableRrsa).toBe(true);
      const terway = c.inputs.addons.find((a: { name: string }) => a.name === "terway-eniip");
      expect(JSON.parse(terway.config).NetworkPolicy).toBe("true");
    }
  });

  test("edge: pinned Envoy Gateway and cert-manager (Gateway API on), ClusterIssuer solving HTTP-01 through the public Gateway", async () => {
    const releases = rec.byType("kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.namespace !== "kube-system");
    expect(releases.map((r) => [r.inputs.chart, r.inputs.version]).sort()).toEqual(
      [[CERT_MANAGER_CHART.chart, CERT_MANAGER_CHART.version], [ENVOY_GATEWAY_CHART.chart, ENVOY_GATEWAY_CHART.version]],
    );
    const eg = releases.find((r) => r.inputs.chart.endsWith("gateway-helm"))!;
    expect(eg.inputs.chart).toBe("oci://docker.io/envoyproxy/gateway-helm");
    expect(eg.inputs.namespace).toBe("envoy-gateway-system");
    const cm = releases.find((r) => r.inputs.chart === "cert-manager")!;
    expect(cm.inputs.values.crds.enabled).toBe(true);
    expect(cm.inputs.values.config).toMatchObject({ kind: "ControllerConfiguration", enableGatewayAPI: true });
    // cert-manager starts after the Gateway API CRDs exist, or it would not watch Gateways.
    expect(cm.dependencies).toContain(eg.urn);
    const issuer = rec.one("kubernetes:cert-manager.io/v1:ClusterIssuer");
    expect(issuer.inputs.spec.acme.server).toBe(env === "prod" ? ACME_SERVERS.production : ACME_SERVERS.staging);
    expect(issuer.inputs.spec.acme.solvers).toEqual([{ http01: { gatewayHTTPRoute: { parentRefs: [
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: "public", namespace: "envoy-gateway-system", sectionName: "http" },
    ] } } }]);
    expect(f.edge?.clusterIssuerName).toBe(env === "prod" ? "letsencrypt-prod" : "letsencrypt-staging");
  });

  test("edge: public and internal Gateways with HTTPS listeners per host, certificates from cert-manager, redirect, client policy, cloud load balancers", async () => {
    const gateways = rec.byType("kubernetes:gateway.networking.k8s.io/v1:Gateway");
    expect(gateways.map((g) => g.inputs.metadata.name).sort()).toEqual(["internal", "public"]);
    const pub = gateways.find((g) => g.inputs.metadata.name === "public")!.inputs;
    expect(pub.metadata.annotations["cert-manager.io/cluster-issuer"]).toBe(f.edge?.clusterIssuerName);
    expect(pub.spec.listeners.map((l: { name: string; port: number }) => [l.name, l.port])).toEqual([["http", 80], ["https-app.example.com", 443]]);
    expect(pub.spec.listeners[1]).toMatchObject({
      protocol: "HTTPS", hostname: "app.example.com",
      tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: "app-example-com-tls" }] },
      allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": "platform" } } } },
    });
    // Only the gateway namespace's own routes (redirect, ACME challenges) attach to plain HTTP.
    expect(pub.spec.listeners[0].allowedRoutes.namespaces).toEqual({ from: "Same" });
    const internal = gateways.find((g) => g.inputs.metadata.name === "internal")!.inputs;
    expect(internal.spec.listeners.map((l: { hostname?: string }) => l.hostname).filter(Boolean)).toEqual(["admin.example.com"]);

    const routes = rec.byType("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute");
    expect(routes.map((r) => r.inputs.spec.rules[0].filters[0])).toEqual([
      { type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } },
      { type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } },
    ]);
    const proxies = rec.byType("kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy");
    const svc = (name: string) => proxies.find((p) => p.inputs.metadata.name === name)!.inputs.spec.provider.kubernetes.envoyService;
    expect(svc("public-proxy")).toMatchObject({ type: "LoadBalancer", externalTrafficPolicy: "Local" });
    expect(svc("internal-proxy").loadBalancerSourceRanges).toEqual(["10.0.0.0/16"]);
    if (cloud === "aws") {
      expect(svc("public-proxy").loadBalancerClass).toBe("service.k8s.aws/nlb");
      expect(svc("public-proxy").annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]).toBe("internet-facing");
      expect(svc("internal-proxy").annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]).toBe("internal");
    } else {
      expect(svc("public-proxy").annotations["service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type"]).toBe("internet");
      expect(svc("internal-proxy").annotations["service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type"]).toBe("intranet");
    }
    const policies = rec.byType("kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy");
    expect(policies).toHaveLength(2);
    expect(policies[0].inputs.spec.proxyProtocol !== undefined).toBe(cloud === "aws");
    expect(rec.one("kubernetes:monitoring.coreos.com/v1:PodMonitor").inputs.spec.podMetricsEndpoints[0]).toMatchObject({ port: "metrics", path: "/stats/prometheus" });
    expect(f.edge?.monitoring.ruleGroups.flatMap((g) => g.rules.map((r) => (r as { alert: string }).alert))).toEqual([
      "EdgeHttpErrorRateHigh", "EdgeHttpErrorRateCritical", "EdgeLatencyP95High", "EdgeLatencyP95Critical",
    ]);
  });

  test("node autoscaling between nodes.min and nodes.max; on EKS the AWS controllers with IRSA roles, the edge's NLBs after the load balancer controller", async () => {
    const releases = rec.byType("kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.namespace === "kube-system");
    if (cloud === "alicloud") {
      expect(releases).toEqual([]);
      const pool = rec.one("alicloud:cs/nodePool:NodePool").inputs;
      expect(pool.scalingConfig).toEqual({ enable: true, minSize: 1, maxSize: 3 });
      // The autoscaler owns the size of an auto-scaling pool.
      expect(pool.desiredSize).toBeUndefined();
      const autoscaler = rec.one("alicloud:cs/autoscalingConfig:AutoscalingConfig");
      expect(autoscaler.inputs).toMatchObject({ scalerType: "cluster-autoscaler", expander: "least-waste", scaleDownEnabled: true, skipNodesWithSystemPods: true });
      expect(autoscaler.dependencies).toContain(rec.one("alicloud:cs/nodePool:NodePool").urn);
      return;
    }
    const group = rec.one("aws:eks/nodeGroup:NodeGroup");
    expect(group.inputs.scalingConfig).toEqual({ minSize: 1, maxSize: 3, desiredSize: 2 });
    expect(group.ignoreChanges).toContain("scalingConfig.desiredSize");
    expect(releases.map((r) => [r.inputs.chart, r.inputs.version, r.inputs.repositoryOpts.repo]).sort()).toEqual([
      ["aws-load-balancer-controller", "3.5.0", "https://aws.github.io/eks-charts"],
      ["cluster-autoscaler", "9.53.0", "https://kubernetes.github.io/autoscaler"],
    ]);
    const roles = rec.byType("aws:iam/role:Role");
    const policies = rec.byType("aws:iam/rolePolicy:RolePolicy");
    for (const [release, sa] of [["aws-load-balancer-controller", "aws-load-balancer-controller"], ["cluster-autoscaler", "cluster-autoscaler"]]) {
      const r = releases.find((x) => x.inputs.chart === release)!;
      const role = roles.find((x) => x.name.endsWith(`-${release === "aws-load-balancer-controller" ? "load-balancer-controller" : "cluster-autoscaler"}-role`))!;
      const trust = JSON.parse(role.inputs.assumeRolePolicy);
      expect(trust.Statement).toHaveLength(1);
      expect(trust.Statement[0].Action).toBe("sts:AssumeRoleWithWebIdentity");
      expect(Object.values(trust.Statement[0].Condition.StringEquals)).toContain(`system:serviceaccount:kube-system:${sa}`);
      // The role reaches the ServiceAccount as its IRSA annotation; the chart waits for the role's policy.
      const saValues = release === "cluster-autoscaler" ? r.inputs.values.rbac.serviceAccount : r.inputs.values.serviceAccount;
      expect(saValues).toMatchObject({ name: sa, annotations: { "eks.amazonaws.com/role-arn": expect.stringContaining(role.name) } });
      const policy = policies.find((p) => p.inputs.role === role.id || p.name === role.name.replace(/-role$/, "-policy"))!;
      expect(r.dependencies).toContain(policy.urn);
    }
    const lbc = releases.find((x) => x.inputs.chart === "aws-load-balancer-controller")!;
    expect(lbc.inputs.values).toMatchObject({ enableServiceMutatorWebhook: false, replicaCount: 2, podDisruptionBudget: { maxUnavailable: 1 } });
    const lbcPolicy = JSON.parse(policies.find((p) => p.name.endsWith("-load-balancer-controller-policy"))!.inputs.policy);
    const clusterName = rec.one("aws:eks/cluster:Cluster").inputs.name;
    const create = lbcPolicy.Statement.find((st: any) => st.Action.includes("elasticloadbalancing:CreateLoadBalancer"));
    expect(create.Condition).toEqual({ StringEquals: { "aws:RequestTag/elbv2.k8s.aws/cluster": clusterName } });
    const caPolicy = JSON.parse(policies.find((p) => p.name.endsWith("-cluster-autoscaler-policy"))!.inputs.policy);
    const resize = caPolicy.Statement.find((st: any) => st.Action.includes("autoscaling:SetDesiredCapacity"));
    expect(resize.Condition).toEqual({ StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } });
    // Both Gateways' load balancer Services are created after (and deleted before) the controller.
    for (const proxy of rec.byType("kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy")) expect(proxy.dependencies).toContain(lbc.urn);
  });
});

describe("AWS network details", () => {
  test("default security group is closed and the VPC has DNS on", async () => {
    await buildDefault("aws", "staging");
    const d = rec.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
    expect(d.inputs.ingress ?? []).toEqual([]);
    expect(d.inputs.egress ?? []).toEqual([]);
    expect(rec.one("aws:ec2/vpc:Vpc").inputs).toMatchObject({ cidrBlock: "10.0.0.0/16", enableDnsSupport: true, enableDnsHostnames: true });
  });

  test("three zones in prod when asked; S3 flow logs with a private bucket", async () => {
    await build("aws", "prod", {
      network: { cidr: "10.1.0.0/16", zones: 3, natPerZone: true, flowLogs: { enabled: true, destination: "bucket", retentionDays: 90 } },
    });
    expect(rec.byType("aws:ec2/subnet:Subnet")).toHaveLength(6);
    expect(rec.byType("aws:ec2/natGateway:NatGateway")).toHaveLength(3);
    expect(rec.one("aws:ec2/flowLog:FlowLog").inputs.logDestinationType).toBe("s3");
    expect(rec.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs.restrictPublicBuckets).toBe(true);
  });

  test("a CIDR-restricted public endpoint lists only the given ranges", async () => {
    const args = argsFor("aws", "staging");
    await build("aws", "staging", { cluster: { ...args.cluster, endpointPublicAccessCidrs: ["203.0.113.0/24"] } });
    expect(rec.one("aws:eks/cluster:Cluster").inputs.vpcConfig).toMatchObject({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] });
  });
});

describe("worldIngressProblems", () => {
  test("flags a data-store group reachable from the world, and world access beyond 80/443", async () => {
    await buildDefault("aws", "staging");
    const vpc = rec.one("aws:ec2/vpc:Vpc");
    const bad = new aws.ec2.SecurityGroup("bad-db-sg", { vpcId: vpc.id, tags: { Tier: "data" } });
    new aws.vpc.SecurityGroupIngressRule("bad-db-5432", { securityGroupId: bad.id, ipProtocol: "tcp", fromPort: 5432, toPort: 5432, cidrIpv4: "0.0.0.0/0" });
    const lb = rec.byType(T.aws.sg).find((g) => g.inputs.tags.Tier === "load-balancer")!;
    new aws.vpc.SecurityGroupIngressRule("bad-lb-22", { securityGroupId: lb.id, ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" });
    new alicloud.ecs.SecurityGroupRule("bad-ali", { type: "ingress", securityGroupId: "nowhere", ipProtocol: "tcp", portRange: "6379/6379", cidrIp: "0.0.0.0/0" });
    await settle();
    const problems = worldIngressProblems(rec.resources);
    expect(problems.some((p) => p.includes("bad-db-5432") && p.includes("tier data"))).toBe(true);
    expect(problems.some((p) => p.includes("bad-db-5432") && p.includes("5432-5432"))).toBe(true);
    expect(problems.some((p) => p.includes("bad-lb-22") && p.includes("22-22"))).toBe(true);
    expect(problems.some((p) => p.includes("bad-ali") && p.includes("untagged"))).toBe(true);
    expect(problems.some((p) => p.includes("-lb-80-v4"))).toBe(false);
  });
});

describe("data placement does not wait for the cluster", () => {
  test("AWS: a database subnet group and security group built from the placement do not depend on EKS", async () => {
    const f = await buildDefault("aws", "prod");
    const p = f.placement!;
    const sg = new aws.ec2.SecurityGroup("db-sg", { vpcId: p.vpcId, tags: { Tier: "data" } });
    new aws.vpc.SecurityGroupIngressRule("db-from-app", { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 5432, toPort: 5432, referencedSecurityGroupId: p.allowedSecurityGroupIds[0] });
    new aws.rds.SubnetGroup("db-subnets", { subnetIds: p.subnetIds });
    await settle();
    for (const name of ["db-sg", "db-from-app", "db-subnets"]) {
      const deps = rec.transitiveDependencies(rec.byName(name));
      expect(dependsOnType(deps, rec.resources, "aws:eks/cluster:Cluster")).toEqual([]);
      expect(dependsOnType(deps, rec.resources, "aws:eks/nodeGroup:NodeGroup")).toEqual([]);
      expect(dependsOnType(deps, rec.resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")).toEqual([]);
    }
    // ...while it does depend on the network (the assertion above is not vacuous).
    expect(dependsOnType(rec.transitiveDependencies(rec.byName("db-subnets")), rec.resources, "aws:ec2/subnet:Subnet")).toHaveLength(2);
    expect(dependsOnType(rec.transitiveDependencies(rec.byName("db-from-app")), rec.resources, "aws:ec2/securityGroup:SecurityGroup")).toHaveLength(2);
    expect(worldIngressProblems(rec.resources)).toEqual([]);
  });

  test("Alibaba Cloud: a data-store group built from the placement does not depend on ACK", async () => {
    const f = await buildDefault("alicloud", "prod");
    const p = f.placement!;
    new alicloud.ecs.SecurityGroup("kv-sg", { vpcId: p.vpcId });
    new alicloud.kvstore.Instance("kv", { vswitchId: p.subnetIds[0], securityIps: p.allowedCidrBlocks as pulumi.Input<string>[] });
    await settle();
    for (const name of ["kv-sg", "kv"]) {
      const deps = rec.transitiveDependencies(rec.byName(name));
      expect(dependsOnType(deps, rec.resources, T.alicloud.cluster)).toEqual([]);
      expect(dependsOnType(deps, rec.resources, "alicloud:cs/nodePool:NodePool")).toEqual([]);
    }
    expect(dependsOnType(rec.transitiveDependencies(rec.byName("kv")), rec.resources, T.alicloud.subnet)).toHaveLength(1);
  });

  test("workload identity comes from the cluster", async () => {
    const f = await buildDefault("aws", "staging");
    const arn = await new Promise((resolve) => pulumi.output(f.identity!.providerArn).apply(resolve));
    expect(arn).toBe(`arn:aws:mock:::${rec.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider").name}`);
  });
});

describe("invalid args fail before anything is registered", () => {
  const cases: Array<[string, Cloud | "none", Partial<FoundationArgs> | ((a: FoundationArgs) => FoundationArgs), string[]]> = [
    ["VPC too large", "aws", (a) => ({ ...a, network: { ...a.network!, cidr: "10.0.0.0/8" } }), ["network.cidr", '"10.0.0.0/8"', "/16 to /24"]],
    ["public VPC range", "aws", (a) => ({ ...a, network: { ...a.network!, cidr: "8.8.0.0/16" } }), ["network.cidr", "private range"]],
    ["host bits set", "alicloud", (a) => ({ ...a, network: { ...a.network!, cidr: "10.0.1.0/16" } }), ["network.cidr", "10.0.0.0/16"]],
    ["overlapping explicit subnets", "aws", (a) => ({ ...a, network: { ...a.network!, publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24"], privateSubnetCidrs: ["10.0.0.128/25", "10.0.8.0/24"] } }), ["network.privateSubnetCidrs[0]", '"10.0.0.128/25"', "overlaps 10.0.0.0/24"]],
    ["subnet outside the VPC", "aws", (a) => ({ ...a, network: { ...a.network!, publicSubnetCidrs: ["10.1.0.0/24", "10.0.1.0/24"] } }), ["network.publicSubnetCidrs[0]", "inside the VPC"]],
    ["single zone", "aws", (a) => ({ ...a, network: { ...a.network!, zones: 1 } }), ["network.zones", "(got 1)", "at least two zones"]],
    ["more zones than listed", "aws", (a) => ({ ...a, network: { ...a.network!, zones: 3, availabilityZones: ["us-east-1a", "us-east-1b"] } }), ["network.availabilityZones", "lists 2 zone(s) but zones is 3"]],
    ["zone of another region", "alicloud", (a) => ({ ...a, network: { ...a.network!, region: "cn-hangzhou", availabilityZones: ["cn-hangzhou-h", "cn-beijing-a"] } }), ["network.availabilityZones[1]", '"cn-beijing-a"', "region cn-hangzhou"]],
    ["eks on alicloud", "alicloud", (a) => ({ ...a, cluster: { ...a.cluster, mode: "eks" } }), ["cluster.mode", '"eks"', "cloud alicloud"]],
    ["ack on aws", "aws", (a) => ({ ...a, cluster: { ...a.cluster, mode: "ack" } }), ["cluster.mode", '"ack"', "cloud aws"]],
    ["existing without kubeconfig", "none", (a) => ({ ...a, network: undefined, cluster: { ...a.cluster, mode: "existing" } }), ["cluster.kubeconfigSecret", "kubeconfig"]],
    ["world-open API endpoint", "aws", (a) => ({ ...a, cluster: { ...a.cluster, endpointPublicAccessCidrs: ["0.0.0.0/0"] } }), ["cluster.endpointPublicAccessCidrs[0]", '"0.0.0.0/0"']],
    ["bad ACME e-mail", "aws", (a) => ({ ...a, edge: { ...a.edge!, acmeEmail: "nobody" } }), ["edge.acmeEmail", '"nobody"']],
    ["Route 53 apex CNAME", "aws", (a) => ({ ...a, edge: { ...a.edge!, dns: { zone: "example.com", records: ["@"] } } }), ["edge.dns.records[0]", '"@"']],
  ];
  test.each(cases)("%s", async (_label, cloud, change, expected) => {
    const base = argsFor(cloud === "none" ? "aws" : cloud, "staging");
    const args = typeof change === "function" ? change(base) : { ...base, ...change };
    let error: unknown;
    try {
      new Foundation("bad", args, ctxFor(cloud, "staging"));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    for (const text of expected) expect((error as Error).message).toContain(text);
    await settle();
    expect(rec.resources).toEqual([]);
  });

  test("unknown cloud", async () => {
    const ctx = { ...ctxFor("aws", "staging"), cloud: "gcp" as never };
    expect(() => new Foundation("bad", argsFor("aws", "staging"), ctx)).toThrow(/cloud: must be one of aws, alicloud, none \(got "gcp"\)/);
    await settle();
    expect(rec.resources).toEqual([]);
  });
});
