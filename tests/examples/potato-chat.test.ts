import { parse } from "yaml";
import { unwrapSecrets } from "../helpers/mocks";
import { stackError } from "../helpers/stack";
import {
  alert, appContainer, buildExample, container, DEPLOYMENT, exampleDir, exampleSecrets, HPA, HTTPROUTE, k8s, missingRunbooks, plaintextSecrets,
  receiversFor, thresholdOf, upload, type BuiltExample,
} from "./harness";

/** Potato Chat / instant social trading (seed 001): prod on AWS, dev on Docker (the compose file). Each built once. */
let prod: BuiltExample;
let dev: BuiltExample;
beforeAll(async () => {
  prod = await buildExample("potato-chat", "prod");
  dev = await buildExample("potato-chat", "dev");
}, 180_000);

const MICROSERVICES = ["user-service", "trading-service", "social-service", "data-service", "payment-service", "notification-service"];
const one = (type: string, name: string) => unwrapSecrets(prod.recorder.one(type, name).inputs);

describe("potato-chat prod (AWS)", () => {
  it("records without error, passes no secret in plaintext, and every alert has a runbook", () => {
    expect(() => prod.recorder.assertUniqueUrns()).not.toThrow();
    expect(plaintextSecrets(prod)).toEqual([]);
    expect(missingRunbooks(prod)).toEqual([]);
  });

  it("builds the CloudFormation network: VPC 10.0.0.0/16, two public and two private /24s, EKS on t3.large, CloudFront", () => {
    expect(one("aws:ec2/vpc:Vpc", "foundation-network-vpc").cidrBlock).toBe("10.0.0.0/16");
    const subnets = prod.recorder.byType("aws:ec2/subnet:Subnet").map((s) => `${s.name}=${unwrapSecrets(s.inputs).cidrBlock}`).sort();
    expect(subnets).toEqual(["foundation-network-private-0=10.0.3.0/24", "foundation-network-private-1=10.0.4.0/24", "foundation-network-public-0=10.0.1.0/24", "foundation-network-public-1=10.0.2.0/24"]);
    expect(one("aws:eks/nodeGroup:NodeGroup", "foundation-cluster-node-group").instanceTypes).toEqual(["t3.large"]);
    expect(one("aws:cloudfront/distribution:Distribution", "foundation-edge-cdn").enabled).toBe(true);
  });

  it("runs RDS PostgreSQL 14 on db.t3.medium (100 GB, encrypted, Multi-AZ), 2-node encrypted ElastiCache Redis 7.0 on cache.t3.micro and DocumentDB 5.0", () => {
    const rds = one("aws:rds/instance:Instance", "main-db-instance");
    expect([rds.engineVersion, rds.instanceClass, rds.allocatedStorage, rds.storageEncrypted, rds.multiAz]).toEqual(["14", "db.t3.medium", 100, true, true]);
    const redis = one("aws:elasticache/replicationGroup:ReplicationGroup", "cache-replication-group");
    expect([redis.engineVersion, redis.nodeType, redis.numCacheClusters, redis.atRestEncryptionEnabled, redis.transitEncryptionEnabled]).toEqual(["7.0", "cache.t3.micro", 2, true, true]);
    expect(one("aws:docdb/cluster:Cluster", "documents-cluster").engineVersion).toBe("5.0.0");
  });

  it("scales the web app 3-10 at CPU 70 % / memory 80 % with its 250m/256Mi-500m/512Mi resources", () => {
    const hpa = k8s(prod.recorder, HPA, "web").spec;
    expect([hpa.minReplicas, hpa.maxReplicas]).toEqual([3, 10]);
    expect(hpa.metrics.map((m: any) => `${m.resource.name}=${m.resource.target.averageUtilization}`)).toEqual(["cpu=70", "memory=80"]);
    expect(appContainer(k8s(prod.recorder, DEPLOYMENT, "web")).resources).toEqual({ requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } });
    expect(appContainer(k8s(prod.recorder, DEPLOYMENT, "api-gateway")).resources).toEqual({ requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1000m", memory: "1Gi" } });
  });

  it("migrates the gateway's database (npm run db:migrate) in a Job of the release, with the gateway's image and env", () => {
    const jobs = prod.recorder.byType("kubernetes:batch/v1:Job").map((j) => unwrapSecrets(j.inputs)).filter((j) => j.metadata.name?.startsWith("api-gateway-"));
    expect(jobs.map((j) => j.metadata.name)).toEqual([expect.stringMatching(/^api-gateway-migrate-[0-9a-f]{8}$/)]);
    const c = jobs[0].spec.template.spec.containers[0];
    expect([c.image, c.command]).toEqual(["ghcr.io/example-org/potato-chat-api-gateway:2.3.0", ["npm", "run", "db:migrate"]]);
    expect(c.env.find((e: any) => e.name === "DB_URL").valueFrom.secretKeyRef).toBeDefined();
  });

  it("serves app. and api. publicly, the admin UI only on the internal Gateway", () => {
    const route = (name: string) => k8s(prod.recorder, HTTPROUTE, name).spec;
    expect([route("web").hostnames, route("web").parentRefs[0].name]).toEqual([["app.instantsocialtrading.com"], "public"]);
    expect([route("api-gateway").hostnames, route("api-gateway").parentRefs[0].name]).toEqual([["api.instantsocialtrading.com"], "public"]);
    expect([route("admin-frontend").hostnames, route("admin-frontend").parentRefs[0].name]).toEqual([["admin.instantsocialtrading.com"], "internal"]);
    for (const svc of MICROSERVICES) expect(prod.recorder.byType(HTTPROUTE).some((r) => unwrapSecrets(r.inputs).metadata.name === svc)).toBe(false);
  });

  it("admits only the API gateway (and Prometheus) to the six microservices", () => {
    for (const svc of MICROSERVICES) {
      const policy = k8s(prod.recorder, "kubernetes:networking.k8s.io/v1:NetworkPolicy", svc).spec;
      const callers = policy.ingress.flatMap((i: any) => i.from.map((f: any) => f.podSelector?.matchLabels?.["app.kubernetes.io/name"] ?? f.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"]));
      expect(callers.sort()).toEqual(["api-gateway", "monitoring"]);
    }
  });

  it("shares app-config's NODE_ENV=production with every service through one ConfigMap", () => {
    expect(k8s(prod.recorder, "kubernetes:core/v1:ConfigMap", "shared-env").data).toEqual({ NODE_ENV: "production" });
    for (const svc of ["web", "api-gateway", ...MICROSERVICES]) expect(appContainer(k8s(prod.recorder, DEPLOYMENT, svc)).envFrom).toEqual([{ configMapRef: { name: "shared-env" } }]);
  });

  it("gives each service its own database and role (compose userdb, tradingdb, ...), the password from a Secret", () => {
    const env = (svc: string) => appContainer(k8s(prod.recorder, DEPLOYMENT, svc)).env as any[];
    expect(env("user-service").find((e) => e.name === "DB_NAME").value).toBe("userdb");
    expect(env("payment-service").find((e) => e.name === "DB_USER").value).toBe("paymentdb");
    expect(env("payment-service").find((e) => e.name === "DB_PASSWORD").valueFrom.secretKeyRef.name).toBe("main-db-db-paymentdb");
    expect(env("social-service").map((e) => e.name)).toEqual(expect.arrayContaining(["DB_URL", "MONGODB_URL"]));
    expect(env("data-service").find((e) => e.name === "MONGODB_URL").valueFrom.secretKeyRef).toBeDefined();
  });

  it("dumps the gateway's database and each service's own database daily, each as its own role", () => {
    const crons = prod.recorder.byType("kubernetes:batch/v1:CronJob").map((c) => unwrapSecrets(c.inputs));
    const names = crons.filter((c) => c.metadata.name.endsWith("-backup-backup")).map((c) => c.metadata.name).sort();
    expect(names).toEqual([
      "admindb-backup-backup", "cache-backup-backup", "documents-backup-backup", "main-db-backup-backup", "paymentdb-backup-backup", "socialdb-backup-backup",
      "tradingdb-backup-backup", "userdb-backup-backup",
    ]);
    // Six backup sets dump main-db, one AWS Backup plan selects it (the main-db set's), not six.
    expect(prod.recorder.byType("aws:backup/plan:Plan").map((r) => r.name)).toEqual(["main-db-backup-plan"]);
    expect(prod.recorder.byType("aws:backup/vault:Vault").map((r) => r.name)).toEqual(["main-db-backup-vault"]);
    // DocumentDB's documents: mongodump with the Amazon RDS CA bundle mounted, daily, kept 30 days.
    const documents = k8s(prod.recorder, "kubernetes:batch/v1:CronJob", "documents-backup-backup").spec;
    expect(documents.schedule).toBe("0 2 * * *");
    const dump = documents.jobTemplate.spec.template.spec.initContainers[0];
    expect(dump.image).toBe("mongo:7.0.14");
    expect(dump.env.find((e: any) => e.name === "MONGODB_CA_FILE")).toBeDefined();
    expect(dump.env.find((e: any) => e.name === "RETENTION_DAYS").value).toBe("30");
    const spec = k8s(prod.recorder, "kubernetes:batch/v1:CronJob", "tradingdb-backup-backup").spec;
    expect(spec.schedule).toBe("0 2 * * *");
    const env = [...(spec.jobTemplate.spec.template.spec.initContainers ?? []), ...spec.jobTemplate.spec.template.spec.containers].flatMap((c: any) => c.env ?? []);
    expect(env.find((e: any) => e.name === "PGDATABASE")?.value).toBe("tradingdb");
  });

  it("alerts at alert_rules.yml's thresholds: CPU 80, memory 85, disk 85 % used, P95 1 s, 5xx 5 %, each for 5m; down for 1m", () => {
    expect([thresholdOf(alert(prod, "NodeCpuUsageHigh")), alert(prod, "NodeCpuUsageHigh").for]).toEqual([80, "5m"]);
    expect([thresholdOf(alert(prod, "NodeMemoryUsageHigh")), alert(prod, "NodeMemoryUsageHigh").for]).toEqual([85, "5m"]);
    expect([thresholdOf(alert(prod, "NodeDiskUsageCritical")), alert(prod, "NodeDiskUsageCritical").for]).toEqual([85, "5m"]);
    expect([thresholdOf(alert(prod, "HttpLatencyHigh", { service: "api-gateway" })), thresholdOf(alert(prod, "HttpErrorRateCritical", { service: "api-gateway" }))]).toEqual([1, 5]);
    expect([alert(prod, "HttpLatencyHigh", { service: "trading-service" }).for, alert(prod, "HttpErrorRateCritical", { service: "trading-service" }).for]).toEqual(["5m", "5m"]);
    expect(alert(prod, "TargetDown").for).toBe("1m");
    expect(thresholdOf(alert(prod, "PostgresTooManyConnections", { severity: "warning", database: "main-db" }))).toBe(80);
    expect([thresholdOf(alert(prod, "LowUserRegistrations")), alert(prod, "LowUserRegistrations").for]).toEqual([10, "1h"]);
    expect(alert(prod, "HighTradingVolume").labels?.severity).toBe("info");
    expect(receiversFor(prod.alertmanager, "critical")).toEqual(["pager", "ops-chat"]);
  });

  it("ships every container's logs to the ELK cluster's instant-social-trading-YYYY.MM.DD indices, masking password= and token= on the node", () => {
    const data = k8s(prod.recorder, "kubernetes:core/v1:ConfigMap", "logging-fluent-bit-config").data;
    const config = parse(data["fluent-bit.yaml"]).pipeline;
    expect(config.outputs).toEqual([
      expect.objectContaining({ name: "es", host: "elasticsearch.instantsocialtrading.internal", port: 9200, tls: "on", "tls.verify": "on", http_user: "fluent-bit", http_passwd: "${LOG_SINK_PASSWORD}", logstash_format: "on", logstash_prefix: "instant-social-trading" }),
    ]);
    expect(config.filters.map((f: any) => f.name)).toEqual(expect.arrayContaining(["kubernetes", "lua"]));
    // Logstash's gsub keys are among the masked keys; the sink password reaches Fluent Bit only from a Secret.
    expect(data["mask.lua"]).toMatch(/local KEYS = \{[^}]*"password"[^}]*"token"/);
    const fb = k8s(prod.recorder, "kubernetes:apps/v1:DaemonSet", "logging-fluent-bit").spec.template.spec.containers[0];
    expect(fb.env.find((e: any) => e.name === "LOG_SINK_PASSWORD").valueFrom.secretKeyRef).toBeDefined();
    expect(prod.recorder.byType("kubernetes:apps/v1:StatefulSet").some((r) => r.name.includes("loki"))).toBe(false);
  });
});

describe("potato-chat dev (docker-compose.yml)", () => {
  it("records without error and passes no secret in plaintext", () => {
    expect(() => dev.recorder.assertUniqueUrns()).not.toThrow();
    expect(plaintextSecrets(dev)).toEqual([]);
    expect(missingRunbooks(dev)).toEqual([]);
  });

  it("publishes the services on compose's host ports (127.0.0.1 only); PostgreSQL, MongoDB and Redis publish nothing", () => {
    const published = (name: string) => container(dev.recorder, `${name}-container`).ports.map((p: any) => `${p.ip}:${p.external}`);
    expect(published("web")).toEqual(["127.0.0.1:3000"]);
    expect(published("api-gateway")).toEqual(["127.0.0.1:8000"]);
    MICROSERVICES.forEach((svc, i) => expect(published(svc)).toEqual([`127.0.0.1:${8001 + i}`]));
    expect(published("admin-backend")).toEqual(["127.0.0.1:8007"]);
    expect(published("admin-frontend")).toEqual(["127.0.0.1:8080"]);
    for (const store of ["main-db", "documents", "cache"]) expect(container(dev.recorder, `${store}-container`).ports ?? []).toEqual([]);
    expect(container(dev.recorder, "alerting-grafana").ports).toEqual([expect.objectContaining({ external: 3001, ip: "127.0.0.1" })]);
  });

  it("runs the compose file's log collection as Fluent Bit to a local Loki kept 3 days, masking secrets", () => {
    const fluentBit = container(dev.recorder, "logging-fluent-bit");
    expect(parse(upload(fluentBit, "/fluent-bit/etc/fluent-bit.yaml")).pipeline.outputs[0]).toMatchObject({ name: "loki", host: "loki" });
    expect(upload(fluentBit, "/fluent-bit/etc/mask.lua")).toMatch(/local KEYS = \{[^}]*"password"[^}]*"token"/);
    expect(parse(upload(container(dev.recorder, "logging-loki"), "/etc/loki/loki.yaml")).limits_config.retention_period).toBe("72h");
  });

  it("runs compose's pinned data stores: PostgreSQL 14, MongoDB 5.0, Redis 7", () => {
    const images = dev.recorder.byType("docker:index/remoteImage:RemoteImage").map((r) => unwrapSecrets(r.inputs).name as string);
    expect(images).toEqual(expect.arrayContaining([expect.stringMatching(/^postgres:14\.13/), expect.stringMatching(/^mongo:5\.0\.28/), expect.stringMatching(/^redis:7\.4\.1/)]));
  });
});

describe("potato-chat bad input fails before anything is registered", () => {
  it("a connection to a logical database that is not declared names the known ones", async () => {
    const raw = (await import("../helpers/stack")).readStackFile("prod", exampleDir("potato-chat"));
    const services = (raw["platform:services"] as any[]).map((s) => (s.name === "user-service" ? { ...s, connections: [{ database: "main-db/usersdb", envPrefix: "DB" }] } : s));
    const message = await stackError("prod", { services }, { projectDir: exampleDir("potato-chat"), secrets: exampleSecrets("potato-chat", "prod") });
    expect(message).toContain('platform:services[2].connections[0].database: must name a database in platform:databases or one of its logical databases as <name>/<database> (known: main-db, main-db/userdb, main-db/tradingdb, main-db/socialdb, main-db/paymentdb, main-db/admindb, cache, documents) (got "main-db/usersdb")');
  });
});
