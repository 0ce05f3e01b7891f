import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { DatabaseConnection, NativeBackupInfo } from "../lib/contracts";
import type { MonitoringBundle } from "../lib/monitoring";
import type { PlatformContext } from "../lib/platform";
import { applyTransform } from "../lib/transform";
import { mongodbAlertRules, postgresAlertRules, redisAlertRules } from "./alerts";
import type { DatabaseTarget, Engine, MonitoredDatabaseArgs } from "./args";
import { connectionUrl, credentialsSecret, PASSWORD_KEY, PASSWORD_SPEC, URL_KEY } from "./credentials";
import { databaseDashboard } from "./dashboard";
import { dockerExporter, exporterJob, kubernetesExporter, kubernetesReplicaExporter, replicaJobPattern } from "./exporters";
import { registerLogicalDatabases } from "./logical";
import { postgresOnAlicloud } from "./postgres/alicloud";
import { postgresOnAws } from "./postgres/aws";
import { postgresOnDocker } from "./postgres/docker";
import { ELASTICACHE_HA_REPLICAS, redisOnAws } from "./redis/aws";
import { redisOnAlicloud } from "./redis/alicloud";
import { redisOnDocker } from "./redis/docker";
import { mongodbOnAlicloud } from "./mongodb/alicloud";
import { mongodbOnAws } from "./mongodb/aws";
import { RDS_CA, RDS_CA_FILE, rdsCaConfigMap } from "./mongodb/rds-ca";
import { mongodbOnDocker } from "./mongodb/docker";
import type { TargetInput, TargetOutput } from "./target";
import type { MongodbThresholds, PostgresThresholds, RedisThresholds } from "./thresholds";
import { validateMonitoredDatabaseArgs, type ResolvedDatabase } from "./validate";

export * from "./args";
export { validateMonitoredDatabaseArgs, resolveDatabaseSettings, DATABASE_DEFAULTS, type ResolvedDatabase } from "./validate";
export { databaseAlertCatalog, mongodbAlertRules, postgresAlertRules, redisAlertRules, MONGODB_ALERTS, POSTGRES_ALERTS, REDIS_ALERTS } from "./alerts";
export { databaseDashboard } from "./dashboard";
export {
  DEFAULT_MONGODB_THRESHOLDS,
  DEFAULT_POSTGRES_THRESHOLDS,
  DEFAULT_REDIS_THRESHOLDS,
  type MongodbThresholds,
  type PostgresThresholds,
  type RedisThresholds,
} from "./thresholds";
export { credentialsSecretName, PASSWORD_KEY, URL_KEY } from "./credentials";
export { EXPORTERS, exporterJob, replicaExporterJob, replicaJobPattern } from "./exporters";
export { logicalSecretName, PROVISIONER_IMAGE } from "./logical";
export { logicalDatabasesScript, logicalDatabasesSql, logicalPasswordEnv } from "./logical-sql";
export { VERSION_CATALOG, INSTANCE_CLASS_RULES, MONGODB_MEMBERS, READ_REPLICA_MAX, versionProblem, instanceClassProblem } from "./catalog";

/** Constant type token (never change it; use aliases if the module moves). */
export const MONITORED_DATABASE_TYPE = "platform:database:MonitoredDatabase";

const BUILDERS: Record<Engine, Record<DatabaseTarget, (input: TargetInput) => TargetOutput>> = {
  postgres: { aws: postgresOnAws, alicloud: postgresOnAlicloud, docker: postgresOnDocker },
  redis: { aws: redisOnAws, alicloud: redisOnAlicloud, docker: redisOnDocker },
  mongodb: { aws: mongodbOnAws, alicloud: mongodbOnAlicloud, docker: mongodbOnDocker },
};

const GB = 1024 ** 3;

/**
 * A PostgreSQL, Redis or MongoDB data store on a managed cloud service or Docker, with generated credentials,
 * its Prometheus exporter, alert rules and dashboard.
 *
 * @example
 * const db = new MonitoredDatabase("main", { engine: "postgres", target: "aws", version: "16.4",
 *   placement: network.dataPlacement, highAvailability: true }, platform);
 * // db.connection.secretRef -> AppService secretRefs; db.monitoring -> AlertingStack
 */
export class MonitoredDatabase extends pulumi.ComponentResource {
  /** Validated args with defaults applied. */
  readonly settings: ResolvedDatabase;
  /** Generated password (RDS master password, Redis AUTH token/requirepass). */
  readonly password: random.RandomPassword;
  /** Every registered child by role (instance, securityGroup, container, exporterDeployment, ...). */
  readonly children: Readonly<Record<string, pulumi.Resource>>;
  /** How applications connect; the password only as a secret. */
  readonly connection: DatabaseConnection;
  /** Connections of the logical databases (PostgreSQL), by database name; each with its own role and secret. */
  readonly logicalConnections: Readonly<Record<string, DatabaseConnection>>;
  /** Provider-native backup facts for the BackupJob component. */
  readonly nativeBackup: NativeBackupInfo;
  /** Alert rules, dashboard and (Docker) scrape targets for the AlertingStack. */
  readonly monitoring: MonitoringBundle;

  constructor(name: string, args: MonitoredDatabaseArgs, ctx: PlatformContext, opts?: pulumi.ComponentResourceOptions) {
    const db = validateMonitoredDatabaseArgs(name, args, ctx);
    super(MONITORED_DATABASE_TYPE, name, {}, opts);
    this.settings = db;

    this.password = new random.RandomPassword(`${name}-password`, applyTransform(db.transforms, "password", { ...PASSWORD_SPEC }), {
      parent: this,
    });
    const password = pulumi.secret(this.password.result);
    const target = BUILDERS[db.engine][db.target]({ parent: this, name, db, ctx, password });
    const url = connectionUrl(db.engine, db, target.host, target.port, target.tls, password, target.urlOptions);
    const children: Record<string, pulumi.Resource> = { password: this.password, ...target.children };

    let secretRef: DatabaseConnection["secretRef"];
    let caBundle: DatabaseConnection["caBundle"];
    if (ctx.target === "kubernetes") {
      const secret = credentialsSecret(this, name, db, ctx, password, url);
      children.credentialsSecret = secret;
      secretRef = { name: secret.metadata.name, passwordKey: PASSWORD_KEY, urlKey: URL_KEY };
      if (db.engine === "mongodb" && db.target === "aws") {
        // DocumentDB's certificates chain to the Amazon RDS CAs: the exporter and backups verify with that bundle.
        const configMap = rdsCaConfigMap(name, ctx, db.transforms, this);
        children.caBundle = configMap;
        caBundle = { configMap: configMap.metadata.name, key: RDS_CA.key, file: RDS_CA_FILE };
      }
    }

    this.connection = {
      engine: db.engine,
      host: target.host,
      port: target.port,
      ...(db.engine !== "redis" ? { user: pulumi.output(db.username), database: pulumi.output(db.databaseName) } : {}),
      password,
      url,
      tls: target.tls,
      // The shards' nodes are published only behind a configuration endpoint (ElastiCache cluster mode).
      ...(target.redisNodes ? { cluster: true } : {}),
      ...(target.replicas?.length ? { replicaHosts: target.replicas.map((r) => r.host) } : {}),
      ...(secretRef ? { secretRef } : {}),
      ...(caBundle ? { caBundle } : {}),
    };

    const logical = registerLogicalDatabases({ parent: this, name, db, ctx, password, target });
    Object.assign(children, logical.children);
    this.logicalConnections = logical.connections;

    this.nativeBackup = {
      engine: db.engine,
      target: db.target,
      retentionDays: db.backupRetentionDays,
      // RDS/DocumentDB PITR and ApsaraDB log backups; ElastiCache only has snapshots; Docker has no native backups.
      pointInTimeRecovery:
        db.pointInTimeRecovery && (db.target === "alicloud" || (db.target === "aws" && db.engine !== "redis")),
      ...(target.snapshotIntervalMinutes !== undefined ? { snapshotIntervalMinutes: target.snapshotIntervalMinutes } : {}),
      ...(target.resourceId ? { resourceId: target.resourceId } : {}),
      ...(target.redisSnapshot ? { redisSnapshot: target.redisSnapshot } : {}),
    };

    const job = exporterJob(name, db.engine);
    const scrapeTargets = [];
    if (db.exporter) {
      const exporterInput = { parent: this, name, db, ctx, host: target.host, port: target.port, tls: target.tls, password, url, secretName: secretRef?.name, redisNodes: target.redisNodes, caBundle };
      const exporter = ctx.target === "kubernetes" ? kubernetesExporter(exporterInput) : dockerExporter(exporterInput);
      Object.assign(children, exporter.children);
      scrapeTargets.push(...exporter.scrapeTargets);
      // Replicas only exist on managed targets, whose exporters run on Kubernetes.
      (target.replicas ?? []).forEach((replica, i) => {
        Object.assign(children, kubernetesReplicaExporter(exporterInput, i + 1, replica.host, replica.port).children);
      });
    }
    this.children = children;

    const storageBytes = db.engine === "postgres" && db.target !== "docker" ? db.storageGb! * GB : undefined;
    const ruleGroups = {
      postgres: () =>
        postgresAlertRules({
          database: name,
          job,
          thresholds: db.thresholds as PostgresThresholds,
          storageBytes,
          ...(db.readReplicas > 0 ? { replicaJobPattern: replicaJobPattern(name) } : {}),
        }),
      redis: () =>
        redisAlertRules({
          database: name,
          job,
          thresholds: db.thresholds as RedisThresholds,
          persistence: target.redisPersistenceObservable ?? false,
          expectedReplicas: db.redisCluster ? db.redisCluster.replicasPerShard : db.highAvailability ? ELASTICACHE_HA_REPLICAS : 0,
          sharded: target.redisNodes !== undefined,
        }),
      mongodb: () =>
        mongodbAlertRules({
          database: name,
          job,
          thresholds: db.thresholds as MongodbThresholds,
          replicaSet: target.mongodbReplicaSetObservable ?? false,
        }),
    }[db.engine]();
    this.monitoring = {
      ruleGroups: db.exporter ? ruleGroups : [],
      dashboards: db.exporter
        ? [
            databaseDashboard({
              database: name,
              engine: db.engine,
              job,
              storageBytes,
              ...(db.readReplicas > 0 ? { replicaJobPattern: replicaJobPattern(name) } : {}),
              ...(db.engine === "mongodb" ? { replicaSet: target.mongodbReplicaSetObservable ?? false } : {}),
              ...(target.redisNodes ? { sharded: true } : {}),
            }),
          ]
        : [],
      scrapeTargets,
    };

    this.registerOutputs({
      host: this.connection.host,
      port: this.connection.port,
      tls: this.connection.tls,
      secretName: secretRef?.name,
      resourceId: this.nativeBackup.resourceId,
    });
  }
}
