import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { MOCK_SECRET_PREFIX, plaintextStrings, unwrapSecrets, type Recorder, type RecordedResource } from "../helpers/mocks";
import { buildStackOnce, REPO_ROOT, type BuiltStack } from "../helpers/stack";
import { SECRETS_BY_STACK } from "./fixtures";
// The CrossGuard pack's verdict on these stacks, on the same builds (its tests register with this file's).
import "../policies/bundled-stacks";

const built: Record<string, BuiltStack> = {};
const variants: Array<[string, string, Record<string, unknown>]> = [
  ["dev", "dev", {}],
  ["staging-aws", "staging", {}],
  ["prod-aws", "prod", {}],
  ["staging-alicloud", "staging", { cloud: "alicloud" }],
  ["prod-alicloud", "prod", { cloud: "alicloud" }],
];

beforeAll(async () => {
  for (const [key, stack, overrides] of variants) {
    built[key] = await buildStackOnce(stack, overrides, { secrets: SECRETS_BY_STACK[stack] });
  }
}, 180_000);

const deployments = (rec: Recorder) => rec.byType("kubernetes:apps/v1:Deployment");
const deploymentOf = (rec: Recorder, service: string) =>
  deployments(rec).find((d) => d.inputs.metadata?.labels?.["app.kubernetes.io/name"] === service)!;
const typesOf = (rec: Recorder) => new Set(rec.resources.map((r) => r.type));

describe.each(variants.map(([key]) => key))("%s stack", (key) => {
  it("registers unique URNs", () => {
    expect(() => built[key].recorder.assertUniqueUrns()).not.toThrow();
  });

  it("never passes a secret value in plaintext to any resource", () => {
    const { recorder, secretValues } = built[key];
    const leaks = recorder.resources.flatMap((r) =>
      plaintextStrings(r.inputs)
        .filter(({ value }) => value.includes(MOCK_SECRET_PREFIX) || secretValues.some((s) => value.includes(s)))
        .map(({ path: p }) => `${r.type} ${r.name} ${p}`),
    );
    expect(leaks).toEqual([]);
  });

  it("gives every alert a runbook that exists in docs/runbooks", () => {
    const urls = alertRunbookUrls(built[key].recorder);
    expect(urls.length).toBeGreaterThan(20);
    const missing = urls.map((u) => path.join(REPO_ROOT, "docs/runbooks", path.basename(u))).filter((f) => !fs.existsSync(f));
    expect([...new Set(missing)]).toEqual([]);
  });
});

/** runbook_url of every alert the stack provisions: PrometheusRule objects on Kubernetes, rule files on Docker. */
function alertRunbookUrls(rec: Recorder): string[] {
  const groups: any[] = [];
  for (const r of rec.byType("kubernetes:monitoring.coreos.com/v1:PrometheusRule")) groups.push(...unwrapSecrets(r.inputs).spec.groups);
  for (const c of rec.byType("docker:index/container:Container")) {
    for (const u of unwrapSecrets(c.inputs).uploads ?? []) {
      if (u.file?.includes("/rules/") && typeof u.content === "string") groups.push(...(parse(u.content)?.groups ?? []));
    }
  }
  return groups.flatMap((g) => g.rules).filter((r) => r.alert).map((r) => r.annotations.runbook_url);
}

describe("dev (Docker)", () => {
  const rec = () => built.dev.recorder;

  it("runs the reference system as hardened containers, with no cloud or Kubernetes resources", () => {
    const types = typesOf(rec());
    expect([...types].filter((t) => t.startsWith("aws:") || t.startsWith("alicloud:") || t.startsWith("kubernetes:"))).toEqual([]);
    const names = rec().byType("docker:index/container:Container").map((c) => c.inputs.name ?? c.name);
    for (const service of ["web", "api", "worker", "event-listener"]) expect(names.join(" ")).toContain(service);
    expect(rec().byType("platform:database:MonitoredDatabase").map((d) => d.name).sort()).toEqual(["cache", "main-db"]);
    expect(rec().byType("platform:backup:BackupJob")).toHaveLength(2);
    expect(rec().byType("platform:alerting:AlertingStack")).toHaveLength(1);
  });

  it("binds every published port to 127.0.0.1 and keeps data stores off the frontend network", () => {
    const containers = rec().byType("docker:index/container:Container");
    const published = containers.flatMap((c) => (c.inputs.ports ?? []).map((p: any) => `${c.name}:${p.ip ?? "0.0.0.0"}`));
    expect(published.length).toBeGreaterThan(0);
    expect(published.filter((p) => !p.endsWith(":127.0.0.1"))).toEqual([]);
    const frontend = "platform-dev-frontend";
    const dataStores = containers.filter((c) => /main-db|cache/.test(c.name) && !/backup/.test(c.name));
    expect(dataStores.length).toBeGreaterThan(0);
    for (const c of dataStores) {
      expect((c.inputs.networksAdvanced ?? []).map((n: any) => n.name)).not.toContain(frontend);
      expect(c.inputs.ports ?? []).toEqual([]);
    }
  });
});

describe("staging profile", () => {
  it.each(["staging-aws", "staging-alicloud"])("%s runs one replica per workload, no HPA and no PDB", (key) => {
    const rec = built[key].recorder;
    for (const service of ["web", "api", "worker", "event-listener"]) expect(deploymentOf(rec, service).inputs.spec.replicas).toBe(1);
    expect(rec.byType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")).toEqual([]);
    expect(rec.byType("kubernetes:policy/v1:PodDisruptionBudget")).toEqual([]);
  });

  it("uses small single-AZ data stores with 7-day backups and no delete protection on AWS", () => {
    const rds = built["staging-aws"].recorder.one("aws:rds/instance:Instance");
    expect(rds.inputs).toMatchObject({ multiAz: false, backupRetentionPeriod: 7, storageEncrypted: true });
    expect(rds.protect).toBe(false);
  });
});

describe("prod profile", () => {
  it.each(["prod-aws", "prod-alicloud"])("%s autoscales web, api and worker 3-10 with PDBs and no fixed replicas", (key) => {
    const rec = built[key].recorder;
    const hpas = rec.byType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
    expect(hpas.map((h) => h.inputs.spec.scaleTargetRef.name).sort()).toEqual(["api", "web", "worker"]);
    for (const h of hpas) expect(h.inputs.spec).toMatchObject({ minReplicas: 3, maxReplicas: 10 });
    for (const service of ["web", "api", "worker"]) expect(deploymentOf(rec, service).inputs.spec.replicas).toBeUndefined();
    expect(rec.byType("kubernetes:policy/v1:PodDisruptionBudget")).toHaveLength(3);
  });

  it("keeps the event listener a single Recreate replica without HPA or PDB", () => {
    const listener = deploymentOf(built["prod-aws"].recorder, "event-listener");
    expect(listener.inputs.spec.replicas).toBe(1);
    expect(listener.inputs.spec.strategy.type).toBe("Recreate");
  });

  it("spreads prod replicas across zones", () => {
    const web = deploymentOf(built["prod-aws"].recorder, "web");
    const keys = web.inputs.spec.template.spec.topologySpreadConstraints.map((c: any) => c.topologyKey);
    expect(keys).toContain("topology.kubernetes.io/zone");
  });

  it("protects prod data on AWS: Multi-AZ, deletion protection, protect, 30-day backups, AWS Backup plan", () => {
    const rec = built["prod-aws"].recorder;
    const rds = rec.one("aws:rds/instance:Instance");
    expect(rds.inputs).toMatchObject({ multiAz: true, deletionProtection: true, backupRetentionPeriod: 30, storageEncrypted: true });
    expect(rds.protect).toBe(true);
    const redis = rec.one("aws:elasticache/replicationGroup:ReplicationGroup");
    expect(redis.inputs).toMatchObject({ automaticFailoverEnabled: true, transitEncryptionEnabled: true });
    expect(rec.byType("aws:backup/plan:Plan")).toHaveLength(1);
  });
});

describe("network policy: deny by default, every pod covered in both directions", () => {
  const subset = (want: Record<string, string> = {}, have: Record<string, string> = {}) => Object.entries(want).every(([k, v]) => have[k] === v);
  it.each(["staging-aws", "prod-aws", "prod-alicloud"])("%s", (key) => {
    const rec = built[key].recorder;
    const policies = rec.byType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => p.inputs);
    const namespace = rec.one("kubernetes:core/v1:Namespace", "namespace").inputs.metadata.name;
    const deny = policies.find((p) => p.metadata.name === "default-deny");
    expect(deny).toMatchObject({ metadata: { namespace }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } });
    expect(deny!.spec.ingress ?? []).toEqual([]);
    expect(deny!.spec.egress ?? []).toEqual([]);
    const dns = policies.find((p) => p.metadata.name === "allow-dns");
    expect(dns!.spec.egress[0].ports).toEqual([{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }]);

    const pods = [
      ...rec.byType("kubernetes:apps/v1:Deployment").map((d) => ({ name: d.name, ns: d.inputs.metadata.namespace, labels: d.inputs.spec.template.metadata.labels })),
      ...rec.byType("kubernetes:batch/v1:CronJob").map((c) => ({ name: c.name, ns: c.inputs.metadata.namespace, labels: c.inputs.spec.jobTemplate.spec.template.metadata.labels })),
    ].filter((p) => p.ns === namespace);
    expect(pods.length).toBeGreaterThanOrEqual(8); // 4 services, 2 exporters, 2+ backup CronJobs
    for (const pod of pods) {
      const own = policies.filter((p) => Object.keys(p.spec.podSelector.matchLabels ?? {}).length > 0 && subset(p.spec.podSelector.matchLabels, pod.labels));
      expect({ pod: pod.name, types: own.flatMap((p) => p.spec.policyTypes).sort() }).toEqual({ pod: pod.name, types: ["Egress", "Ingress"] });
      for (const p of own) {
        // No egress rule reaches the instance metadata endpoints (pods use workload identity).
        for (const rule of p.spec.egress ?? []) for (const peer of rule.to ?? []) if (peer.ipBlock?.cidr === "0.0.0.0/0") expect(peer.ipBlock.except).toContain("169.254.169.254/32");
      }
    }
    // The exporters' metrics ports (their env holds database credentials) admit Prometheus only.
    const exporterPolicies = policies.filter((p) => /exporter$/.test(p.metadata.name));
    expect(exporterPolicies).toHaveLength(2);
    for (const p of exporterPolicies) {
      expect(p.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: expect.any(Number) }] }]);
    }
  });
});

describe("edge on Gateway API", () => {
  it.each(["prod-aws", "prod-alicloud", "staging-aws"])("%s registers the Gateway stack and one TLS HTTPRoute with filters and rate-limit policy per exposed service", (key) => {
    const rec = built[key].recorder;
    const releases = rec.byType("kubernetes:helm.sh/v3:Release").map((r) => r.inputs.chart);
    expect(releases).toContain("oci://docker.io/envoyproxy/gateway-helm");
    expect(releases.some((c: string) => /ingress-nginx/.test(c))).toBe(false);
    expect(rec.byType("kubernetes:networking.k8s.io/v1:Ingress")).toHaveLength(0);
    expect(rec.byType("kubernetes:gateway.networking.k8s.io/v1:GatewayClass")).toHaveLength(1);
    const gateway = rec.one("kubernetes:gateway.networking.k8s.io/v1:Gateway").inputs;
    const https = gateway.spec.listeners.filter((l: any) => l.protocol === "HTTPS");
    const hosts = key.startsWith("prod") ? ["app.example.com", "api.example.com"] : ["app.staging.example.com", "api.staging.example.com"];
    expect(https.map((l: any) => l.hostname)).toEqual(hosts);
    for (const l of https) expect(l.tls.certificateRefs[0].name).toBe(`${l.hostname.replace(/\./g, "-")}-tls`);
    expect(gateway.metadata.annotations["cert-manager.io/cluster-issuer"]).toBe(key.startsWith("prod") ? "letsencrypt-prod" : "letsencrypt-staging");

    const routes = rec.byType("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute").filter((r) => r.inputs.metadata.namespace === "platform");
    expect(routes.map((r) => r.inputs.spec.hostnames[0]).sort()).toEqual([...hosts].sort());
    for (const r of routes) {
      expect(r.inputs.spec.parentRefs[0]).toMatchObject({ name: "public", namespace: "envoy-gateway-system" });
      expect(r.inputs.spec.rules[0].filters[0].type).toBe("ResponseHeaderModifier");
    }
    const policies = rec.byType("kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy");
    expect(policies.map((p) => p.inputs.spec.targetRefs[0].name).sort()).toEqual(["api", "web"]);
    for (const p of policies) expect(p.inputs.spec.rateLimit.local.rules[0].limit).toEqual({ requests: 30, unit: "Second" });
    expect(rec.byType("kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy")).toHaveLength(1);
    // The web and api pods admit the edge proxies' namespace.
    const np = rec.byType("kubernetes:networking.k8s.io/v1:NetworkPolicy").find((n) => n.inputs.metadata.name === "web")!;
    expect(np.inputs.spec.ingress[0].from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"]).toBe("envoy-gateway-system");
  });
});

describe("node autoscaling and the cloud load balancer controller", () => {
  it("prod-aws: Cluster Autoscaler and AWS Load Balancer Controller charts with IRSA roles; the edge's NLB Services wait for the controller", () => {
    const rec = built["prod-aws"].recorder;
    const system = rec.byType("kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.namespace === "kube-system");
    expect(system.map((r) => r.inputs.chart).sort()).toEqual(["aws-load-balancer-controller", "cluster-autoscaler"]);
    const roles = rec.byType("aws:iam/role:Role").map((r) => r.name);
    expect(roles).toEqual(expect.arrayContaining(["foundation-cluster-load-balancer-controller-role", "foundation-cluster-cluster-autoscaler-role"]));
    const group = rec.one("aws:eks/nodeGroup:NodeGroup");
    expect(group.inputs.scalingConfig).toMatchObject({ minSize: 3, maxSize: 10 });
    const lbc = system.find((r) => r.inputs.chart === "aws-load-balancer-controller")!;
    for (const proxy of rec.byType("kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy")) {
      expect(proxy.dependencies).toContain(lbc.urn);
      const svc = proxy.inputs.spec.provider.kubernetes.envoyService;
      expect(svc).toMatchObject({ type: "LoadBalancer", loadBalancerClass: "service.k8s.aws/nlb" });
      expect(svc.annotations).toMatchObject({
        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
        "service.beta.kubernetes.io/aws-load-balancer-proxy-protocol": "*",
      });
    }
  });

  it("prod-alicloud: the ACK node pool scales between 3 and 10 under the cluster's autoscaler; no AWS controllers", () => {
    const rec = built["prod-alicloud"].recorder;
    expect(rec.byType("kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.namespace === "kube-system")).toEqual([]);
    expect(rec.one("alicloud:cs/nodePool:NodePool").inputs.scalingConfig).toEqual({ enable: true, minSize: 3, maxSize: 10 });
    expect(rec.one("alicloud:cs/autoscalingConfig:AutoscalingConfig").inputs.scalerType).toBe("cluster-autoscaler");
  });
});

describe("Alibaba Cloud workload identity for the backups (RRSA)", () => {
  it("installs the ACK pod-identity webhook and labels the workload namespace for injection (not on AWS)", () => {
    const ali = built["prod-alicloud"].recorder;
    const addons = ali.one("alicloud:cs/managedKubernetes:ManagedKubernetes").inputs.addons.map((a: any) => a.name);
    expect(addons).toContain("ack-pod-identity-webhook");
    expect(ali.one("kubernetes:core/v1:Namespace", "namespace").inputs.metadata.labels["pod-identity.alibabacloud.com/injection"]).toBe("on");
    const aws = built["prod-aws"].recorder;
    expect(aws.one("kubernetes:core/v1:Namespace", "namespace").inputs.metadata.labels["pod-identity.alibabacloud.com/injection"]).toBeUndefined();
  });
});

describe("managed Redis backup sets take native snapshots (ElastiCache and ApsaraDB refuse the SYNC a dump needs)", () => {
  const podOf = (key: string, name: string) =>
    unwrapSecrets(built[key].recorder.byType("kubernetes:batch/v1:CronJob").find((c) => c.inputs.metadata.name === name)!.inputs).spec.jobTemplate.spec.template.spec;
  const commands = (pod: any) => [...(pod.initContainers ?? []), ...pod.containers].map((c: any) => c.command.slice(1).join(" "));

  it.each([
    ["prod-aws", ["/opt/backup/redis-snapshot-aws.sh snapshot"], ["/opt/backup/redis-snapshot-aws.sh verify"]],
    ["prod-alicloud", ["/opt/backup/redis-snapshot-alicloud.py snapshot"], ["/opt/backup/redis-snapshot-alicloud.py fetch", "/opt/backup/redis-check-rdbs.sh"]],
  ])("%s: the cache's backup and restore test call the cloud's API, and PostgreSQL still dumps", (key, backup, verify) => {
    expect(commands(podOf(key, "cache-backup-backup"))).toEqual(backup);
    expect(commands(podOf(key, "cache-backup-verify"))).toEqual(verify);
    expect(commands(podOf(key, "main-db-backup-backup"))).toEqual(["/opt/backup/backup.sh dump", "/opt/backup/backup.sh upload"]);
    // No bucket for the cache: the only backup buckets are the PostgreSQL sets'.
    const buckets = built[key].recorder.resources.filter((r) => /^(aws:s3\/bucketV2:BucketV2|alicloud:oss\/bucket:Bucket)$/.test(r.type) && r.name.startsWith("cache-backup"));
    expect(buckets).toEqual([]);
  });

  it("prod-alicloud: the job calls R-kvstore for the stack's region and exchanges its token at that region's VPC STS", () => {
    const env = Object.fromEntries(podOf("prod-alicloud", "cache-backup-backup").containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env.KVSTORE_ENDPOINT).toBe("https://r-kvstore.aliyuncs.com");
    expect(env.CLUSTER_EDITION).toBeUndefined();
    expect(env.ALIBABA_CLOUD_STS_ENDPOINT).toBe(`https://sts-vpc.${env.REGION_ID}.aliyuncs.com`);
    expect(env.REGION_ID).toMatch(/^cn-[a-z]+$/);
  });
});

describe("Alibaba Cloud OSS backups authenticate with RRSA (prod on ACK)", () => {
  const rec = () => built["prod-alicloud"].recorder;
  const cronJob = (name: string) => rec().byType("kubernetes:batch/v1:CronJob").find((c) => c.inputs.metadata.name === name)!.inputs;
  const envOf = (container: any) => Object.fromEntries(container.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));

  it("the storage containers exchange the webhook's token at the region's VPC STS and use OSS's S3-compatible VPC endpoint", () => {
    const backup = cronJob("main-db-backup-backup").spec.jobTemplate.spec.template.spec;
    const verify = cronJob("main-db-backup-verify").spec.jobTemplate.spec.template.spec;
    for (const storage of [backup.containers[0], verify.initContainers[0]]) {
      expect(storage.image).toBe("amazon/aws-cli:2.22.35");
      const env = envOf(storage);
      expect(env).toMatchObject({
        STORAGE_IDENTITY: "rrsa",
        ALIBABA_CLOUD_STS_ENDPOINT: "https://sts-vpc.cn-hangzhou.aliyuncs.com",
        S3_ENDPOINT_URL: "https://s3.oss-cn-hangzhou-internal.aliyuncs.com",
        S3_ADDRESSING_STYLE: "virtual",
        AWS_DEFAULT_REGION: "cn-hangzhou",
      });
      // The webhook injects the role and token; no static key is ever configured.
      expect(storage.env.map((e: any) => e.name).filter((n: string) => /ACCESS_KEY|SECRET_ACCESS|SESSION_TOKEN|ALIBABA_CLOUD_ROLE_ARN/.test(n))).toEqual([]);
    }
    expect(backup.serviceAccountName).toBe("main-db-backup-backup");
  });

  it("the ServiceAccount names the RAM role the webhook injects, and the role's sessions outlast the longest job", () => {
    const sa = rec().byType("kubernetes:core/v1:ServiceAccount").find((s) => s.inputs.metadata.name === "main-db-backup-backup")!.inputs;
    const role = rec().one("alicloud:ram/role:Role", "main-db-backup-role").inputs;
    expect(sa.metadata.annotations["pod-identity.alibabacloud.com/role-name"]).toBe("main-db-backup-role-0123456");
    const longest = Math.max(cronJob("main-db-backup-backup").spec.jobTemplate.spec.activeDeadlineSeconds, cronJob("main-db-backup-verify").spec.jobTemplate.spec.activeDeadlineSeconds);
    expect(role.maxSessionDuration).toBeGreaterThanOrEqual(Math.min(longest, 43200));
    expect(Number(envOf(cronJob("main-db-backup-backup").spec.jobTemplate.spec.template.spec.containers[0]).STS_DURATION_SECONDS)).toBe(role.maxSessionDuration);
    const trust = JSON.parse(role.assumeRolePolicyDocument);
    expect(trust.Statement[0].Condition.StringEquals["oidc:sub"]).toBe("system:serviceaccount:platform:main-db-backup-backup");
  });

  it("the backup pods may reach DNS, the database and HTTPS (STS, OSS) only, never the metadata service, and take no connections", () => {
    const np = rec().byType("kubernetes:networking.k8s.io/v1:NetworkPolicy").find((n) => n.inputs.metadata.name === "main-db-backup-backup")!.inputs;
    expect(np.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(np.spec.ingress).toEqual([]);
    const https = np.spec.egress.find((e: any) => e.ports?.some((p: any) => p.port === 443));
    expect(https.to).toEqual([{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32", "100.100.100.200/32"] } }]);
    expect(np.spec.egress.some((e: any) => e.ports?.some((p: any) => p.port === 53))).toBe(true);
    expect(np.spec.egress).toHaveLength(3);
  });
});

describe("cloud switch", () => {
  it("overriding cloud alone moves the whole system from AWS to Alibaba Cloud", () => {
    for (const stack of ["staging", "prod"]) {
      const aws = typesOf(built[`${stack}-aws`].recorder);
      const ali = typesOf(built[`${stack}-alicloud`].recorder);
      expect([...ali].filter((t) => t.startsWith("aws:"))).toEqual([]);
      expect([...aws].filter((t) => t.startsWith("alicloud:"))).toEqual([]);
      expect(ali).toEqual(expect.objectContaining({}));
      for (const t of ["alicloud:rds/instance:Instance", "alicloud:kvstore/instance:Instance", "alicloud:oss/bucket:Bucket", "alicloud:cs/managedKubernetes:ManagedKubernetes"]) {
        expect(ali.has(t)).toBe(true);
      }
      for (const t of ["aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup", "aws:eks/cluster:Cluster"]) {
        expect(aws.has(t)).toBe(true);
      }
    }
  });
});

describe("dependencies", () => {
  const clusterTypes = ["aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup", "alicloud:cs/managedKubernetes:ManagedKubernetes", "alicloud:cs/nodePool:NodePool"];
  const dataTypes = [
    "aws:rds/instance:Instance",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:s3/bucket:Bucket",
    "alicloud:rds/instance:Instance",
    "alicloud:kvstore/instance:Instance",
    "alicloud:oss/bucket:Bucket",
  ];

  it.each(["prod-aws", "prod-alicloud"])("%s: databases, caches and buckets do not wait for the cluster", (key) => {
    const rec = built[key].recorder;
    const clusters = new Set(rec.resources.filter((r) => clusterTypes.includes(r.type)).map((r) => r.urn));
    expect(clusters.size).toBeGreaterThan(0);
    const data: RecordedResource[] = rec.resources.filter((r) => dataTypes.includes(r.type));
    expect(data.length).toBeGreaterThanOrEqual(3);
    const waiting = data.filter((r) => [...rec.transitiveDependencies(r)].some((u) => clusters.has(u))).map((r) => r.name);
    expect(waiting).toEqual([]);
  });

  it("workloads do wait for the workload namespace (through the namespaced provider)", () => {
    const rec = built["prod-aws"].recorder;
    const provider = rec.one("pulumi:providers:kubernetes", "workloads");
    const namespace = rec.one("kubernetes:core/v1:Namespace", "namespace");
    expect(provider.dependencies).toContain(namespace.urn);
    expect(namespace.inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect(deploymentOf(rec, "api").provider).toContain("::workloads::");
  });
});

describe("observability of the public edge", () => {
  it.each(["staging-aws", "prod-alicloud"])("%s probes every public host from outside and scrapes cert-manager", (key) => {
    const rec = built[key].recorder;
    const probe = rec.one("kubernetes:monitoring.coreos.com/v1:Probe", "alerting-probe");
    const env = key.startsWith("prod") ? "" : "staging.";
    expect([...probe.inputs.spec.targets.staticConfig.static].sort()).toEqual([
      `https://api.${env}example.com/health/ready`,
      `https://app.${env}example.com/api/health/ready`,
    ]);
    const monitor = rec.one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "alerting-cert-manager-monitor");
    expect(monitor.inputs.spec.namespaceSelector.matchNames).toEqual(["cert-manager"]);
  });

  it.each(["prod-aws", "prod-alicloud"])("%s alerts on the edge's 5xx ratio and latency per Gateway, at the stack's thresholds, with runbooks", (key) => {
    const rec = built[key].recorder;
    const rules = rec.byType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").flatMap((r) => r.inputs.spec.groups.flatMap((g: any) => g.rules));
    const edge = rules.filter((r: any) => /^Edge/.test(r.alert ?? ""));
    expect(edge.map((r: any) => r.alert).sort()).toEqual(["EdgeHttpErrorRateCritical", "EdgeHttpErrorRateHigh", "EdgeLatencyP95Critical", "EdgeLatencyP95High"]);
    const service = rules.find((r: any) => r.alert === "HttpErrorRateHigh");
    const edgeHigh = edge.find((r: any) => r.alert === "EdgeHttpErrorRateHigh");
    expect(edgeHigh.expr.match(/> ([0-9.]+)$/)[1]).toBe(service.expr.match(/> ([0-9.]+)$/)[1]);
    for (const r of edge) {
      expect(fs.existsSync(path.join(REPO_ROOT, "docs/runbooks", r.annotations.runbook_url.split("/").pop()))).toBe(true);
    }
    // The proxies are scraped where the alerts look.
    expect(rec.one("kubernetes:monitoring.coreos.com/v1:PodMonitor", "foundation-edge-pod-monitor").inputs.spec.podMetricsEndpoints[0].path).toBe("/stats/prometheus");
  });

  it("dev (Docker, no public hosts) runs no blackbox exporter", () => {
    expect(built.dev.recorder.resources.find((r) => r.name === "alerting-blackbox")).toBeUndefined();
  });
});
