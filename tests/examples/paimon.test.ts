import { parse } from "yaml";
import { unwrapSecrets } from "../helpers/mocks";
import { readStackFile, stackError } from "../helpers/stack";
import {
  alert, appContainer, buildExample, container, CRONJOB, DEPLOYMENT, exampleDir, exampleSecrets, HPA, k8s, missingRunbooks, PDB,
  plaintextSecrets, receiversFor, thresholdOf, type BuiltExample,
} from "./harness";

/** Paimon fund (seed 002): dev on Docker, staging (1 replica) and prod (3+ replicas, HA) on AWS EKS. */
const built: Record<string, BuiltExample> = {};
const ENVS = ["dev", "staging", "prod"];
beforeAll(async () => {
  for (const env of ENVS) built[env] = await buildExample("paimon", env);
}, 240_000);

describe.each(ENVS)("paimon %s", (env) => {
  it("records without error, passes no secret in plaintext, and every alert has a runbook", () => {
    expect(() => built[env].recorder.assertUniqueUrns()).not.toThrow();
    expect(plaintextSecrets(built[env])).toEqual([]);
    expect(missingRunbooks(built[env])).toEqual([]);
  });

  it("carries the risk and liquidity alerts (5.3) and ServiceDown as a 1-minute critical TargetDown", () => {
    const b = built[env];
    expect([alert(b, "HighRiskLevel").expr, alert(b, "HighRiskLevel").for, alert(b, "HighRiskLevel").labels?.severity]).toEqual(["max(paimon_risk_level) >= 3", "5m", "critical"]);
    expect([thresholdOf(alert(b, "LowLiquidity")), alert(b, "LowLiquidity").labels?.severity]).toEqual([0.08, "warning"]);
    expect([alert(b, "TargetDown").for, alert(b, "TargetDown").labels?.severity]).toEqual(["1m", "critical"]);
    if (env !== "dev") {
      // HighAPILatency (5.3): the API's own histogram at P99 above 1 s for 5m.
      const latency = alert(b, "HttpLatencyHigh", { service: "api" });
      expect(latency.expr).toContain("histogram_quantile(0.99, sum by (job, service, le) (rate(paimon_http_request_duration_seconds_bucket{");
      expect([thresholdOf(latency), latency.for]).toEqual([1, "5m"]);
      expect(alert(b, "HttpErrorRateCritical", { service: "api" }).expr).toContain("paimon_http_request_duration_seconds_count");
    }
  });
});

describe.each(["staging", "prod"])("paimon %s on EKS", (env) => {
  const rec = () => built[env].recorder;

  it("runs the API with the playbook's probes and resources (2.1)", () => {
    const api = appContainer(k8s(rec(), DEPLOYMENT, "api"));
    expect([api.livenessProbe.httpGet.path, api.readinessProbe.httpGet.path, api.ports[0].containerPort]).toEqual(["/health", "/health/ready", 8000]);
    expect(api.resources).toEqual({ requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "500m", memory: "1Gi" } });
    expect(api.env.find((e: any) => e.name === "DATABASE_URL").valueFrom.secretKeyRef).toBeDefined();
    // alembic (3.1) migrates the schema in a Job of the release, with the API's image and database env.
    const jobs = rec().byType("kubernetes:batch/v1:Job").map((j) => unwrapSecrets(j.inputs)).filter((j) => j.metadata.name.startsWith("api-migrate"));
    expect(jobs).toHaveLength(1);
    const migrate = jobs[0].spec.template.spec.containers[0];
    expect([migrate.image, migrate.command]).toEqual([api.image, ["alembic", "upgrade", "head"]]);
    expect(migrate.env.find((e: any) => e.name === "DATABASE_URL").valueFrom.secretKeyRef).toBeDefined();
  });

  it("runs exactly one event listener with Recreate, and one rebalance worker and one risk monitor (2.2, 2.3)", () => {
    const listener = k8s(rec(), DEPLOYMENT, "event-listener");
    expect([listener.spec.replicas, listener.spec.strategy.type]).toEqual([1, "Recreate"]);
    expect(appContainer(listener).resources).toEqual({ requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "200m", memory: "512Mi" } });
    expect(appContainer(listener).livenessProbe.httpGet.path).toBe("/health");
    for (const [name, arg] of [["rebalance-worker", "--worker=rebalance"], ["risk-monitor", "--worker=risk"]]) {
      const d = k8s(rec(), DEPLOYMENT, name);
      expect([d.spec.replicas, d.spec.strategy.type, appContainer(d).args]).toEqual([1, "Recreate", [arg]]);
    }
    expect(rec().byType(HPA).map((h) => unwrapSecrets(h.inputs).metadata.name)).toEqual(env === "prod" ? ["api"] : []);
  });

  it("ships the JSON logs (6.1) to ELK's paimon-logs-YYYY.MM.DD indices (6.2), masking secrets and the RPC URLs on the node", () => {
    const data = k8s(rec(), "kubernetes:core/v1:ConfigMap", "logging-fluent-bit-config").data;
    const pipeline = parse(data["fluent-bit.yaml"]).pipeline;
    expect(pipeline.filters.find((f: any) => f.name === "kubernetes").merge_log).toBe("on");
    expect(pipeline.outputs).toEqual([expect.objectContaining({ name: "es", host: "elasticsearch.paimon.internal", tls: "on", logstash_format: "on", logstash_prefix: "paimon-logs" })]);
    expect(data["mask.lua"]).toMatch(/local KEYS = \{[^}]*"password"[^}]*"rpcurl", "wsurl" \}/);
  });
});

describe("paimon staging vs prod", () => {
  it("staging runs 1 API replica; prod keeps at least 3 behind an HPA with a PDB (1.2)", () => {
    expect(k8s(built.staging.recorder, DEPLOYMENT, "api").spec.replicas).toBe(1);
    const hpa = k8s(built.prod.recorder, HPA, "api");
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([3, 10]);
    expect(k8s(built.prod.recorder, PDB, "api").spec.maxUnavailable).toBe(1);
  });

  it("prod's data stores are Multi-AZ; staging's are single-AZ", () => {
    const rds = (env: string) => unwrapSecrets(built[env].recorder.one("aws:rds/instance:Instance", "main-db-instance").inputs);
    expect([rds("prod").multiAz, rds("staging").multiAz]).toEqual([true, false]);
    expect(rds("prod").backupRetentionPeriod).toBe(30);
  });

  it("prod reads from a PostgreSQL replica (1.1 Primary / Replica) whose lag is watched on the replica; staging has none", () => {
    const replicas = (env: string) => built[env].recorder.byType("aws:rds/instance:Instance").filter((r) => r.name.startsWith("main-db-replica-"));
    expect([replicas("prod").length, replicas("staging").length]).toEqual([1, 0]);
    expect(unwrapSecrets(replicas("prod")[0].inputs)).toMatchObject({ storageEncrypted: true, publiclyAccessible: false });
    const env = appContainer(k8s(built.prod.recorder, DEPLOYMENT, "api")).env as any[];
    expect(env.find((e) => e.name === "DATABASE_REPLICA_HOSTS")).toBeDefined();
    expect(alert(built.prod, "PostgresReplicationLag", { severity: "warning" }).expr).toContain('pg_replication_lag_seconds{job=~"main-db-replica-[0-9]+-exporter"}');
    expect(built.staging.alerts.some((a) => a.alert === "PostgresReplicationLag")).toBe(false);
  });

  it("backs up PostgreSQL daily (30 days) and Redis hourly (7 days) in prod, restore tests within the 4 h RTO (7.1, 8.1)", () => {
    const cron = (name: string) => k8s(built.prod.recorder, CRONJOB, name);
    const env = (c: any, key: string) => c.spec.jobTemplate.spec.template.spec.containers.flatMap((x: any) => x.env ?? []).find((e: any) => e.name === key)?.value;
    expect([cron("main-db-backup-backup").spec.schedule, env(cron("main-db-backup-backup"), "RETENTION_DAYS")]).toEqual(["0 2 * * *", "30"]);
    expect([cron("cache-backup-backup").spec.schedule, env(cron("cache-backup-backup"), "RETENTION_DAYS")]).toEqual(["0 */2 * * *", "7"]);
    // The restore test is given the RTO as its deadline: 4 h.
    expect(cron("main-db-backup-verify").spec.jobTemplate.spec.activeDeadlineSeconds).toBe(4 * 3600);
    // Snapshots every 2 h: stale once two hours and the grace (15 min start, 1 h run) have passed.
    expect(alert(built.prod, "BackupStale", { backup: "cache-backup" }).annotations?.summary).toContain("3.3h");
  });

  it("runs prod's Redis as a cluster (1.1 Redis (Cluster)) snapshotted every 2 hours, all shards; staging keeps one node", () => {
    const group = (env: string) => unwrapSecrets(built[env].recorder.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs);
    expect(group("prod")).toMatchObject({ clusterMode: "enabled", numNodeGroups: 3, replicasPerNodeGroup: 1 });
    expect(group("staging").clusterMode).toBeUndefined();
    const dump = k8s(built.prod.recorder, CRONJOB, "cache-backup-backup").spec;
    expect(dump.schedule).toBe("0 */2 * * *");
    const env = dump.jobTemplate.spec.template.spec.containers.flatMap((c: any) => c.env ?? []);
    expect(env.find((e: any) => e.name === "EXPECTED_SHARDS")?.value).toBe("3");
    expect(env.find((e: any) => e.name === "REPLICATION_GROUP_ID")).toBeDefined();
  });

  it("copies prod's RDS backups to a second region for disaster recovery (8.2), kept 30 days there too", () => {
    const plan = unwrapSecrets(built.prod.recorder.one("aws:backup/plan:Plan", "main-db-backup-plan").inputs);
    expect(plan.rules[0].copyActions).toEqual([{ destinationVaultArn: "arn:aws:mock:::main-db-backup-copy-vault", lifecycle: { deleteAfter: 30 } }]);
    const vault = built.prod.recorder.one("aws:backup/vault:Vault", "main-db-backup-copy-vault");
    expect(vault.provider).toContain("main-db-backup-copy-region");
    expect(built.staging.recorder.byType("aws:backup/vault:Vault").some((v) => v.name.includes("copy"))).toBe(false);
  });

  it("prod pages the on-call through PagerDuty for critical alerts; staging never pages", () => {
    expect(receiversFor(built.prod.alertmanager, "critical")).toEqual(["pager", "oncall-email", "dev-chat"]);
    expect(receiversFor(built.staging.alertmanager, "critical")).toEqual(["dev-chat", "dev-email"]);
    expect(JSON.stringify(built.staging.alertmanager)).not.toContain("pagerduty");
  });

  it("a paging receiver in staging is refused before anything is registered", async () => {
    const secrets = { ...exampleSecrets("paimon", "staging"), pagerdutyRoutingKey: "example-paimon-staging-pd-value" };
    const alerting = {
      receivers: [{ name: "pager", type: "pagerduty", secret: "pagerdutyRoutingKey" }],
      routes: { critical: ["pager"], warning: ["pager"], info: ["pager"] },
    };
    const message = await stackError("staging", { alerting }, { projectDir: exampleDir("paimon"), secrets });
    expect(message).toContain("platform:alerting");
    expect(message).toMatch(/pagerduty/i);
  });

  it("the playbook's hourly Redis RDB and a 1 h RPO are refused on ElastiCache with the reason (20 snapshots per node a day)", async () => {
    const backups = [{ name: "cache-backup", database: "cache", schedule: "0 * * * *", retentionDays: 7, rpoMinutes: 60 }];
    const message = await stackError("prod", { backups }, { projectDir: exampleDir("paimon"), secrets: exampleSecrets("paimon", "prod") });
    expect(message).toContain('platform:backups[0].schedule: takes 24 snapshots a day; ElastiCache allows at most 20 manual snapshots per node in any 24 hours (e.g. "0 */2 * * *", every 2 h) (got "0 * * * *")');
    const slow = await stackError("prod", { backups: [{ ...backups[0], schedule: "0 */2 * * *" }] }, { projectDir: exampleDir("paimon"), secrets: exampleSecrets("paimon", "prod") });
    expect(slow).toContain("platform:backups[0].rpoMinutes: cannot be met: the best recovery point is 120 min old");
    expect(slow).toContain("ElastiCache takes at most 20 manual snapshots per node a day and has no log backups");
  });
});

describe("paimon dev (Docker Compose, 3.2)", () => {
  it("publishes the API on 127.0.0.1:8000 and runs the listener and the Celery worker beside it", () => {
    const rec = built.dev.recorder;
    expect(container(rec, "api-container").ports).toEqual([expect.objectContaining({ internal: 8000, external: 8000, ip: "127.0.0.1" })]);
    expect(container(rec, "celery-worker-container").entrypoints).toEqual(["celery", "-A", "src.workers.celery_app", "worker", "--loglevel=info"]);
    expect(container(rec, "event-listener-container").entrypoints).toEqual(["python", "-m", "src.event_listener.main"]);
  });

  it("runs PostgreSQL 16 with TimescaleDB, as compose's timescale/timescaledb image", () => {
    const rec = built.dev.recorder;
    const image = unwrapSecrets(rec.byType("docker:index/remoteImage:RemoteImage").find((r) => r.name === "main-db-image")!.inputs);
    expect(image.name).toMatch(/^timescale\/timescaledb:[\d.]+-pg16$/);
    expect(container(rec, "main-db-container").command).toEqual(expect.arrayContaining(["shared_preload_libraries=timescaledb"]));
  });

  it("TimescaleDB on RDS (staging/prod) is refused with the key path: RDS cannot load it", async () => {
    const raw = readStackFile("prod", exampleDir("paimon"));
    const databases = (raw["platform:databases"] as any[]).map((d) => (d.name === "main-db" ? { ...d, extensions: ["timescaledb"] } : d));
    const message = await stackError("prod", { databases }, { projectDir: exampleDir("paimon"), secrets: exampleSecrets("paimon", "prod") });
    expect(message).toContain("platform:databases[0].extensions");
  });
});
