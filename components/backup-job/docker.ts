import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import type { DatabaseConnection } from "../lib/contracts";
import { parseCron } from "../lib/cron";
import { type PlatformContext, providerFor } from "../lib/platform";
import { applyTransform, type Transforms } from "../lib/transform";
import { cpuMillis, memoryBytes } from "../lib/validation";
import { BACKUP_SCRIPT_NAME, backupScript } from "./script";
import type { ResolvedBackup } from "./validate";

const SCRIPT_DIR = "/opt/backup";
/** Mount point of the stack's shared textfile-metrics volume (see PlatformContext.dockerMetricsVolume). */
export const SHARED_METRICS_DIR = "/metrics";
/** Both official images run as uid/gid 999 and own these directories, which seed fresh named volumes. */
const DATA_DIR: Record<ResolvedBackup["engine"], string> = { postgres: "/var/lib/postgresql", redis: "/data", mongodb: "/data/db" };
/** uid/gid of the backup containers; the stack's shared textfile-metrics volume is owned by it. */
export const BACKUP_CONTAINER_UID = 999;
const IMAGE_USER = `${BACKUP_CONTAINER_UID}:${BACKUP_CONTAINER_UID}`;

let schedulerCache: string | undefined;
function schedulerScript(): string {
  schedulerCache ??= fs.readFileSync(path.join(__dirname, "scripts", "scheduler.sh"), "utf8");
  return schedulerCache;
}

/** The scheduler's view of a cron expression: explicit value lists (see scripts/scheduler.sh). */
export function schedulerEnv(expression: string): Record<string, string> {
  const s = parseCron(expression);
  const list = (values: Iterable<number>) => [...values].sort((a, b) => a - b).join(" ");
  return {
    CRON_MINUTES: list(s.minutes),
    CRON_HOURS: list(s.hours),
    CRON_DOM: list(s.daysOfMonth),
    CRON_MONTHS: list(s.months),
    CRON_DOW: list(s.daysOfWeek),
    CRON_DOM_RESTRICTED: s.domRestricted ? "1" : "0",
    CRON_DOW_RESTRICTED: s.dowRestricted ? "1" : "0",
  };
}

/** Directory inside the backup volume where the scripts write node-exporter textfile metrics. */
export function metricsDir(engine: ResolvedBackup["engine"]): string {
  return `${DATA_DIR[engine]}/metrics`;
}

/** Local destination inside the backup volume. */
export function localDestination(engine: ResolvedBackup["engine"]): string {
  return `file://${DATA_DIR[engine]}/backups`;
}

export interface DockerBackupInputs {
  r: ResolvedBackup;
  ctx: PlatformContext;
  parent: pulumi.Resource;
  connection: DatabaseConnection;
  /** s3://bucket/prefix for an S3 endpoint, otherwise the local volume. */
  destinationUrl: pulumi.Input<string>;
  credentials?: { accessKeyId: pulumi.Input<string>; secretAccessKey: pulumi.Input<string> };
  transforms?: Transforms<string>;
}

export interface DockerBackupResources {
  volume: docker.Volume;
  scriptsVolume: docker.Volume;
  backupContainer: docker.Container;
  verifyContainer?: docker.Container;
}

/** The aws cli credentials file of an S3-compatible destination on Docker (inside the scripts volume). */
export const AWS_CREDENTIALS_FILE = `${SCRIPT_DIR}/aws-credentials`;

/** Pure: the aws cli shared-credentials file for static keys, as a Pulumi secret. */
export function awsCredentialsFile(c: { accessKeyId: pulumi.Input<string>; secretAccessKey: pulumi.Input<string> }): pulumi.Output<string> {
  return pulumi.secret(pulumi.interpolate`[default]\naws_access_key_id = ${c.accessKeyId}\naws_secret_access_key = ${c.secretAccessKey}\n`);
}

/** Pure: the environment of the Docker job containers (secret values stay Outputs marked secret). */
export function dockerEnv(i: DockerBackupInputs, mode: "backup" | "verify"): pulumi.Input<string>[] {
  const { r, connection: c } = i;
  const env: pulumi.Input<string>[] = [
    `ENGINE=${r.engine}`,
    ...(r.redisCluster ? ["REDIS_CLUSTER=1"] : []),
    `BACKUP_NAME=${r.name}`,
    pulumi.interpolate`BACKUP_DESTINATION=${i.destinationUrl}`,
    `RETENTION_DAYS=${r.retentionDays}`,
    `RETENTION_COUNT=${r.retentionCount}`,
    `STAGING_DIR=/tmp/staging`,
    // With the stack's shared textfile volume, node-exporter serves the results; the job's own volume keeps a copy.
    ...(i.ctx.dockerMetricsVolume
      ? [`METRICS_TEXTFILE_DIR=${SHARED_METRICS_DIR}`, `METRICS_STATE_DIR=${metricsDir(r.engine)}`]
      : [`METRICS_TEXTFILE_DIR=${metricsDir(r.engine)}`]),
    `SCHEDULE_COMMAND=${mode}`,
    `TZ=${r.timeZone}`,
    "HOME=/tmp",
    ...Object.entries(schedulerEnv(mode === "backup" ? r.schedule : r.verify.schedule)).map(([k, v]) => `${k}=${v}`),
  ];
  if (r.destination.endpointUrl) env.push(`S3_ENDPOINT_URL=${r.destination.endpointUrl}`);
  // OSS refuses path-style requests, which the aws cli uses for a custom endpoint unless told otherwise.
  if (r.destination.type === "oss") env.push("S3_ADDRESSING_STYLE=virtual");
  // Static S3 credentials reach the aws cli as a file (0400, the job's user), never as environment variables.
  // S3-compatible servers (MinIO, Ceph, OSS) accept us-east-1 signing; the endpoint decides where data goes.
  if (i.credentials) env.push(`AWS_SHARED_CREDENTIALS_FILE=${AWS_CREDENTIALS_FILE}`, "AWS_DEFAULT_REGION=us-east-1");
  if (c.engine === "mongodb") {
    // The connection string (with the password) as a secret env value; backup.sh hands it to the tools in a file.
    env.push(pulumi.secret(pulumi.interpolate`MONGODB_URI=${c.url!}`));
    if (c.database) env.push(pulumi.interpolate`MONGODB_DATABASE=${c.database}`);
  } else if (c.engine === "redis") {
    env.push(pulumi.interpolate`REDIS_HOST=${c.host}`, pulumi.interpolate`REDIS_PORT=${c.port}`, `REDIS_TLS=${c.tls ? 1 : 0}`);
    env.push(pulumi.secret(pulumi.interpolate`REDISCLI_AUTH=${c.password}`));
  } else {
    env.push(pulumi.interpolate`PGHOST=${c.host}`, pulumi.interpolate`PGPORT=${c.port}`, `PGSSLMODE=${c.tls ? "require" : "prefer"}`);
    if (c.user) env.push(pulumi.interpolate`PGUSER=${c.user}`);
    if (c.database) env.push(pulumi.interpolate`PGDATABASE=${c.database}`);
    env.push(pulumi.secret(pulumi.interpolate`PGPASSWORD=${c.password}`));
    if (mode === "verify" && r.verify.query) env.push(`VERIFY_QUERY=${r.verify.query}`);
  }
  return env;
}

/**
 * Docker target (dev): the same script, run by a tiny minute-resolution scheduler in the pinned client image,
 * writing to a named volume, attached to the backend network only.
 */
export function registerDockerBackup(i: DockerBackupInputs): DockerBackupResources {
  const { r, ctx } = i;
  const opts = { parent: i.parent, ...providerFor(ctx, "docker") };
  const volume = new docker.Volume(`${r.name}-volume`, applyTransform(i.transforms, "volume", {
    labels: [{ label: "app.kubernetes.io/part-of", value: ctx.project }, { label: "backup", value: r.name }],
  }), { ...opts, protect: r.protect });
  // Uploads into a volume work on a read-only root filesystem; the root filesystem itself stays read-only.
  const scriptsVolume = new docker.Volume(`${r.name}-scripts-volume`, {}, opts);
  const container = (mode: "backup" | "verify") =>
    new docker.Container(
      `${r.name}-${mode}-container`,
      applyTransform(i.transforms, mode === "backup" ? "backupContainer" : "verifyContainer", {
        image: r.images.client,
        command: ["bash", `${SCRIPT_DIR}/scheduler.sh`],
        envs: dockerEnv(i, mode),
        user: IMAGE_USER,
        readOnly: true,
        tmpfs: { "/tmp": "rw,noexec,nosuid,size=1g" },
        capabilities: { drops: ["ALL"] },
        securityOpts: ["no-new-privileges:true"],
        restart: "unless-stopped",
        memory: Math.round(memoryBytes(r.resources.limits.memory) / 2 ** 20),
        cpus: String(cpuMillis(r.resources.limits.cpu) / 1000),
        logDriver: "json-file",
        logOpts: { "max-size": "10m", "max-file": "3" },
        volumes: [
          { volumeName: volume.name, containerPath: DATA_DIR[r.engine] },
          { volumeName: scriptsVolume.name, containerPath: SCRIPT_DIR },
          ...(ctx.dockerMetricsVolume ? [{ volumeName: ctx.dockerMetricsVolume, containerPath: SHARED_METRICS_DIR }] : []),
        ],
        uploads: [
          { file: `${SCRIPT_DIR}/${BACKUP_SCRIPT_NAME}`, content: backupScript(), executable: true },
          { file: `${SCRIPT_DIR}/scheduler.sh`, content: schedulerScript(), executable: true },
          ...(i.credentials
            ? [{
                file: AWS_CREDENTIALS_FILE,
                content: awsCredentialsFile(i.credentials),
                permissions: "0400",
                owner: String(BACKUP_CONTAINER_UID),
                group: String(BACKUP_CONTAINER_UID),
              }]
            : []),
        ],
        networksAdvanced: [{ name: ctx.dockerNetworks!.backend }],
        labels: [
          { label: "app.kubernetes.io/part-of", value: ctx.project },
          { label: "app.kubernetes.io/component", value: "backup" },
          { label: "backup", value: r.name },
        ],
      } satisfies docker.ContainerArgs),
      opts,
    );
  const backupContainer = container("backup");
  const verifyContainer = r.verify.enabled ? container("verify") : undefined;
  return { volume, scriptsVolume, backupContainer, verifyContainer };
}
