import { parse } from "yaml";
import { unwrapSecrets } from "../helpers/mocks";
import { readStackFile, stackError } from "../helpers/stack";
import {
  alert, appContainer, buildExample, DEPLOYMENT, exampleDir, exampleSecrets, HPA, HTTPROUTE, k8s, missingRunbooks, plaintextSecrets,
  rateBuckets, receiversFor, thresholdOf, TRAFFIC_POLICY, type BuiltExample,
} from "./harness";

/** Payment platform (seed 004): 19 Go services and 3 front ends on AWS EKS. Built once. */
let prod: BuiltExample;
beforeAll(async () => {
  prod = await buildExample("payment-platform", "prod");
}, 120_000);

const services = () => readStackFile("prod", exampleDir("payment-platform"))["platform:services"] as Array<{ name: string; template: string; port?: number }>;

describe("payment-platform prod", () => {
  it("records without error, passes no secret in plaintext, and every alert has a runbook", () => {
    expect(() => prod.recorder.assertUniqueUrns()).not.toThrow();
    expect(plaintextSecrets(prod)).toEqual([]);
    expect(missingRunbooks(prod)).toEqual([]);
  });

  it("runs 19 Go microservices and 3 front ends, each an HPA-scaled Deployment", () => {
    const go = services().filter((s) => s.template === "go-service");
    const fe = services().filter((s) => s.template === "frontend");
    expect([go.length, fe.length]).toEqual([19, 3]);
    expect(prod.recorder.byType(DEPLOYMENT).filter((d) => d.parent?.includes("platform:app-service:AppService"))).toHaveLength(22);
    for (const s of [...go, ...fe]) expect(k8s(prod.recorder, HPA, s.name).spec.minReplicas).toBe(3);
    // The playbook's ports and health endpoints: payment-gateway on 40003, order-service 40004, channel-adapter 40005, risk-service 40006.
    for (const [name, port] of [["payment-gateway", 40003], ["order-service", 40004], ["channel-adapter", 40005], ["risk-service", 40006]] as const) {
      const c = appContainer(k8s(prod.recorder, DEPLOYMENT, name));
      expect([c.ports[0].containerPort, c.livenessProbe.httpGet.path]).toEqual([port, "/health"]);
    }
  });

  it("serves gRPC beside HTTP on every Go service (400NN / 500NN) and shares the production log level", () => {
    for (const [name, port] of [["payment-gateway", 50003], ["risk-service", 50006], ["identity-service", 50019]] as const) {
      const c = appContainer(k8s(prod.recorder, DEPLOYMENT, name));
      expect(c.ports.find((p: any) => p.name === "grpc")?.containerPort).toBe(port);
      expect(k8s(prod.recorder, "kubernetes:core/v1:Service", name).spec.ports.find((p: any) => p.name === "grpc")).toMatchObject({ port, appProtocol: "kubernetes.io/h2c" });
      expect(c.envFrom).toEqual([{ configMapRef: { name: "shared-env" } }]);
    }
    expect(k8s(prod.recorder, "kubernetes:core/v1:ConfigMap", "shared-env").data).toEqual({ LOG_LEVEL: "info", GIN_MODE: "release" });
  });

  it("gives each service its own payment_* database and role (19 databases), reads from a replica", () => {
    const dbs = (readStackFile("prod", exampleDir("payment-platform"))["platform:databases"] as any[])[0].logicalDatabases;
    expect(dbs).toHaveLength(19);
    expect(dbs.every((d: { name: string }) => d.name.startsWith("payment_"))).toBe(true);
    const env = appContainer(k8s(prod.recorder, DEPLOYMENT, "payment-gateway")).env as any[];
    expect(env.find((e) => e.name === "DB_NAME").value).toBe("payment_gateway");
    expect(env.find((e) => e.name === "DATABASE_URL").valueFrom.secretKeyRef.name).toBe("main-db-db-payment-gateway");
    // 读写分离: reads go to the replica (DB_REPLICA_HOSTS), whose lag is read on the replica itself.
    expect(prod.recorder.byType("aws:rds/instance:Instance").map((r) => r.name).sort()).toEqual(["main-db-instance", "main-db-replica-1"]);
    expect(env.find((e) => e.name === "DB_REPLICA_HOSTS")).toBeDefined();
    expect(alert(prod, "PostgresReplicationLag", { severity: "warning" }).expr).toContain('job=~"main-db-replica-[0-9]+-exporter"');
  });

  it("limits the public API per client address and keeps the admin portal internal", () => {
    expect(rateBuckets(k8s(prod.recorder, TRAFFIC_POLICY, "payment-gateway"))).toEqual({ perSecond: 2, perMinute: 120 });
    expect(k8s(prod.recorder, HTTPROUTE, "payment-gateway").spec.hostnames).toEqual(["api.payment-platform.com"]);
    expect(k8s(prod.recorder, HTTPROUTE, "admin-portal").spec.parentRefs[0].name).toBe("internal");
    expect(k8s(prod.recorder, HTTPROUTE, "website").spec.parentRefs[0].name).toBe("public");
  });

  it("alerts at the threshold table: CPU 70/90, memory 80/95, disk 75/90, P95 1/3 s, errors 1/5 %, connections 80/95 %, payment success 95/90 %", () => {
    const pair = (base: string, labels: Record<string, string> = {}) => [thresholdOf(alert(prod, `${base}High`, labels)), thresholdOf(alert(prod, `${base}Critical`, labels))];
    expect(pair("NodeCpuUsage")).toEqual([70, 90]);
    expect(pair("NodeMemoryUsage")).toEqual([80, 95]);
    expect(pair("NodeDiskUsage")).toEqual([75, 90]);
    expect(pair("HttpLatency", { service: "payment-gateway" })).toEqual([1, 3]);
    expect(pair("HttpErrorRate", { service: "payment-gateway" })).toEqual([1, 5]);
    expect([80, 95]).toEqual(["warning", "critical"].map((severity) => thresholdOf(alert(prod, "PostgresTooManyConnections", { severity, database: "main-db" }))));
    expect([thresholdOf(alert(prod, "PaymentSuccessRateLow")), thresholdOf(alert(prod, "PaymentSuccessRateCritical"))]).toEqual([95, 90]);
    expect([thresholdOf(alert(prod, "PaymentLatencyHigh")), thresholdOf(alert(prod, "PaymentLatencyCritical"))]).toEqual([1, 3]);
    expect(receiversFor(prod.alertmanager, "critical")).toEqual(["pager", "oncall-email"]);
    expect(receiversFor(prod.alertmanager, "warning")).toEqual(["support-email"]);
  });

  it("dumps every payment_* database at 02:00 every day, each as its own role, with a monthly restore test", () => {
    const crons = prod.recorder.byType("kubernetes:batch/v1:CronJob").map((c) => unwrapSecrets(c.inputs));
    const dumps = crons.filter((c) => /-db-backup-backup$/.test(c.metadata.name));
    expect(dumps).toHaveLength(19);
    for (const c of dumps) expect(c.spec.schedule).toBe("0 2 * * *");
    expect(crons.filter((c) => /-db-backup-verify$/.test(c.metadata.name))).toHaveLength(19);
    const gateway = k8s(prod.recorder, "kubernetes:batch/v1:CronJob", "gateway-db-backup-backup").spec.jobTemplate.spec.template.spec;
    const env = [...gateway.initContainers ?? [], ...gateway.containers].flatMap((c: any) => c.env ?? []);
    expect(env.find((e: any) => e.name === "PGDATABASE")?.value).toBe("payment_gateway");
    expect(alert(prod, "BackupStale", { backup: "gateway-db-backup" }).labels?.severity).toBe("critical");
  });

  it("runs Kafka on MSK (KRaft) across the zones with the payment flow's topics at replication factor 3, alerting on lag and partitions", () => {
    const cluster = prod.recorder.one("aws:msk/cluster:Cluster").inputs;
    expect([cluster.kafkaVersion, cluster.numberOfBrokerNodes, cluster.brokerNodeGroupInfo.clientSubnets.length]).toEqual(["3.9.x.kraft", 4, 2]);
    expect(cluster.encryptionInfo.encryptionInTransit).toMatchObject({ clientBroker: "TLS", inCluster: true });
    const topics = prod.recorder.byType("aws:msk/topic:Topic").map((t) => [t.inputs.name, t.inputs.partitionCount, t.inputs.replicationFactor, JSON.parse(t.inputs.configs)["min.insync.replicas"]]);
    expect(topics).toEqual([
      ["payment.events", 12, 3, "2"],
      ["order.events", 12, 3, "2"],
      ["risk.events", 6, 3, "2"],
      ["settlement.events", 6, 3, "2"],
      ["refund.events", 6, 3, "2"],
      ["notification.requests", 6, 3, "2"],
    ]);
    expect([thresholdOf(alert(prod, "KafkaConsumerGroupLag", { severity: "warning" })), thresholdOf(alert(prod, "KafkaConsumerGroupLag", { severity: "critical" }))]).toEqual([1000, 10000]);
    for (const name of ["KafkaBrokerDown", "KafkaUnderReplicatedPartitions", "KafkaOfflinePartitions", "KafkaExporterDown"]) expect(prod.alerts.some((a) => a.alert === name)).toBe(true);
    // The payment flow's services get the brokers and their SASL credentials from the cluster's Secret.
    const env = appContainer(k8s(prod.recorder, DEPLOYMENT, "payment-gateway")).env as any[];
    expect(env.find((e) => e.name === "KAFKA_SECURITY_PROTOCOL")?.value).toBe("SASL_SSL");
    expect(env.find((e) => e.name === "KAFKA_PASSWORD")?.valueFrom?.secretKeyRef?.name).toBe("events-kafka-credentials");
    expect((appContainer(k8s(prod.recorder, DEPLOYMENT, "kyc-service")).env as any[]).some((e) => e.name.startsWith("KAFKA_"))).toBe(false);
  });

  it("runs Redis as a cluster of 3 primaries with a replica each, alerting per shard, all 3 shards snapshotted every 2 hours", () => {
    const group = prod.recorder.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs;
    expect(group).toMatchObject({ clusterMode: "enabled", numNodeGroups: 3, replicasPerNodeGroup: 1, automaticFailoverEnabled: true, transitEncryptionEnabled: true });
    const env = appContainer(k8s(prod.recorder, DEPLOYMENT, "payment-gateway")).env as any[];
    expect(env.find((e) => e.name === "REDIS_HOST").value).toMatch(/^clustercfg\./);
    expect(alert(prod, "RedisMemoryNearMax", { database: "cache", severity: "warning" }).expr).toContain("by (job, instance, shard)");
    // ElastiCache refuses SYNC: native snapshots with a node snapshot per shard, restore-tested into 3 node groups.
    const snapshot = k8s(prod.recorder, "kubernetes:batch/v1:CronJob", "cache-backup-backup").spec;
    expect(snapshot.schedule).toBe("0 */2 * * *");
    const [container] = snapshot.jobTemplate.spec.template.spec.containers;
    expect(container.command).toEqual(["bash", "/opt/backup/redis-snapshot-aws.sh", "snapshot"]);
    expect(container.env.find((e: any) => e.name === "EXPECTED_SHARDS")?.value).toBe("3");
    const verify = k8s(prod.recorder, "kubernetes:batch/v1:CronJob", "cache-backup-verify").spec.jobTemplate.spec.template.spec.containers[0];
    expect(JSON.parse(verify.env.find((e: any) => e.name === "RESTORE_TEMPLATE").value)).toMatchObject({ NumNodeGroups: 3, ReplicasPerNodeGroup: 0 });
    expect(alert(prod, "BackupStale", { backup: "cache-backup" }).labels?.severity).toBe("critical");
  });

  it("traces every service into Jaeger, keeping every failed trace and every trace slower than 1 s, for 7 days", () => {
    for (const s of services()) {
      const env = appContainer(k8s(prod.recorder, DEPLOYMENT, s.name)).env as any[];
      expect(env.find((e) => e.name === "OTEL_SERVICE_NAME")?.value).toBe(s.name);
      expect(env.find((e) => e.name === "OTEL_EXPORTER_OTLP_ENDPOINT")?.value).toBe("http://otel-collector.tracing.svc:4318");
    }
    const collector = parse(k8s(prod.recorder, "kubernetes:core/v1:ConfigMap", "tracing-collector-config").data["config.yaml"]);
    const policies = collector.processors.tail_sampling.policies;
    expect(policies.find((p: any) => p.type === "latency").latency.threshold_ms).toBe(1000);
    expect(policies.find((p: any) => p.type === "status_code").status_code.status_codes).toEqual(["ERROR"]);
    expect(policies.find((p: any) => p.type === "probabilistic").probabilistic.sampling_percentage).toBe(10);
    expect(collector.service.pipelines.traces.exporters).toEqual(["otlp_grpc/jaeger"]);
    const jaeger = parse(k8s(prod.recorder, "kubernetes:core/v1:ConfigMap", "tracing-jaeger-config").data["config.yaml"]);
    expect(jaeger.extensions.jaeger_storage.backends.main.badger.ttl.spans).toBe("168h");
    expect(alert(prod, "TraceExportFailing").labels?.severity).toBe("warning");
  });

  it("ships the services' JSON logs to Loki for 30 days, masking card numbers, secrets and Stripe keys on the node", () => {
    const fluentBit = k8s(prod.recorder, "kubernetes:core/v1:ConfigMap", "logging-fluent-bit-config").data;
    const pipeline = parse(fluentBit["fluent-bit.yaml"]).pipeline;
    expect(pipeline.filters.find((f: any) => f.name === "kubernetes").merge_log).toBe("on");
    expect(pipeline.filters.find((f: any) => f.name === "lua")).toMatchObject({ script: "/fluent-bit/etc/mask.lua", call: "mask_secrets" });
    expect(pipeline.outputs.map((o: any) => [o.name, o.host])).toEqual([["loki", "loki.logging.svc"]]);
    expect(fluentBit["mask.lua"]).toContain('local PATTERNS = { "sk_live_%w+", "sk_test_%w+" }');
    expect(fluentBit["mask.lua"]).toContain("luhn(digits)");
    const loki = parse(k8s(prod.recorder, "kubernetes:core/v1:ConfigMap", "logging-loki-config").data["loki.yaml"]);
    expect([loki.compactor.retention_enabled, loki.limits_config.retention_period]).toEqual([true, "720h"]);
    expect(alert(prod, "LogShipperDroppingLogs").labels?.severity).toBe("warning");
  });
});

describe("payment-platform bad input fails before anything is registered", () => {
  it("a template whose CPU request exceeds its limit is reported for each of the 19 services using it", async () => {
    const template = { ...(readStackFile("prod", exampleDir("payment-platform"))["platform:serviceTemplates"] as any) };
    template["go-service"] = { ...template["go-service"], resources: { requests: { cpu: "2", memory: "128Mi" }, limits: { cpu: "1", memory: "256Mi" } } };
    const message = await stackError("prod", { serviceTemplates: template }, { projectDir: exampleDir("payment-platform"), secrets: exampleSecrets("payment-platform", "prod") });
    expect(message).toContain('platform:services[0].resources.requests.cpu: must not exceed limits.cpu (1) (got "2")');
    expect(message).toContain('platform:services[18].resources.requests.cpu: must not exceed limits.cpu (1) (got "2")');
    expect(message).not.toContain("platform:services[19].resources");
  });
});
