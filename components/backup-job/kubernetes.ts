import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { DatabaseConnection } from "../lib/contracts";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, tmpVolume } from "../lib/k8s";
import { selectorLabels, standardLabels } from "../lib/labels";
import { ANYWHERE, cidrEgress, DNS_EGRESS } from "../lib/network-policy";
import { type PlatformContext, providerFor } from "../lib/platform";
import { applyTransform, type Transforms } from "../lib/transform";
import { BACKUP_SCRIPT_NAME, backupScript } from "./script";
import type { ResolvedBackup } from "./validate";

type EnvVar = k8s.types.input.core.v1.EnvVar;
type CronJobSpec = k8s.types.input.batch.v1.CronJobSpec;

const SCRIPT_DIR = "/opt/backup";
const STAGING_DIR = "/staging";

/**
 * OSS through its S3-compatible API: virtual-hosted bucket names (OSS refuses path-style requests), signed for the
 * bucket's region, with credentials from RRSA. The aws cli cannot read the token ack-pod-identity-webhook injects,
 * so backup.sh exchanges it at STS (AssumeRoleWithOIDC) for session credentials first; see docs/backups-oss-rrsa.md.
 */
export function ossRrsaEnv(r: ResolvedBackup): EnvVar[] {
  const region = r.destination.region;
  return [
    { name: "STORAGE_IDENTITY", value: "rrsa" },
    { name: "S3_ADDRESSING_STYLE", value: "virtual" },
    { name: "ALIBABA_CLOUD_STS_ENDPOINT", value: region ? `https://sts-vpc.${region}.aliyuncs.com` : "https://sts.aliyuncs.com" },
    { name: "STS_DURATION_SECONDS", value: String(r.credentialSessionSeconds) },
    { name: "AWS_DEFAULT_REGION", value: region ?? "us-east-1" },
  ];
}

/** Environment shared by every container: where backups live and how they are named. */
export function destinationEnv(r: ResolvedBackup, destinationUrl: pulumi.Input<string>): EnvVar[] {
  return [
    ...(r.destination.type === "oss" ? ossRrsaEnv(r) : []),
    { name: "ENGINE", value: r.engine },
    // Every container needs it: a cluster backup is a different object (a tar of every shard and a manifest).
    ...(r.redisCluster ? [{ name: "REDIS_CLUSTER", value: "1" }] : []),
    { name: "BACKUP_NAME", value: r.name },
    { name: "BACKUP_DESTINATION", value: destinationUrl },
    ...(r.destination.endpointUrl ? [{ name: "S3_ENDPOINT_URL", value: r.destination.endpointUrl }] : []),
    { name: "RETENTION_DAYS", value: String(r.retentionDays) },
    { name: "RETENTION_COUNT", value: String(r.retentionCount) },
    { name: "STAGING_DIR", value: STAGING_DIR },
    // Read-only root filesystem: tools that want a home directory get the writable /tmp.
    { name: "HOME", value: "/tmp" },
  ];
}

/** Database client environment; the password only ever comes from a Secret reference. */
export function databaseEnv(
  connection: DatabaseConnection,
  password: { name: pulumi.Input<string>; key: string; urlKey?: string },
  verifyQuery?: string,
): EnvVar[] {
  const secretRef = { secretKeyRef: { name: password.name, key: password.key } };
  if (connection.engine === "mongodb") {
    return [
      { name: "MONGODB_URI", valueFrom: { secretKeyRef: { name: password.name, key: password.urlKey ?? "url" } } },
      ...(connection.database ? [{ name: "MONGODB_DATABASE", value: connection.database }] : []),
      // DocumentDB: mongodump/mongorestore verify the server with the mounted CA bundle (--sslCAFile).
      ...(connection.caBundle ? [{ name: "MONGODB_CA_FILE", value: connection.caBundle.file }] : []),
    ];
  }
  if (connection.engine === "redis") {
    return [
      { name: "REDIS_HOST", value: connection.host },
      { name: "REDIS_PORT", value: connection.port.apply(String) },
      { name: "REDISCLI_AUTH", valueFrom: secretRef },
      { name: "REDIS_TLS", value: connection.tls ? "1" : "0" },
    ];
  }
  return [
    { name: "PGHOST", value: connection.host },
    { name: "PGPORT", value: connection.port.apply(String) },
    ...(connection.user ? [{ name: "PGUSER", value: connection.user }] : []),
    ...(connection.database ? [{ name: "PGDATABASE", value: connection.database }] : []),
    { name: "PGPASSWORD", valueFrom: secretRef },
    { name: "PGSSLMODE", value: connection.tls ? "require" : "prefer" },
    ...(verifyQuery ? [{ name: "VERIFY_QUERY", value: verifyQuery }] : []),
  ];
}

export interface CronJobInputs {
  r: ResolvedBackup;
  mode: "backup" | "verify";
  labels: Record<string, string>;
  serviceAccountName: pulumi.Input<string>;
  configMapName: pulumi.Input<string>;
  destinationEnv: EnvVar[];
  databaseEnv: EnvVar[];
  /** The CA bundle that verifies the database server, mounted read-only into both containers. */
  caBundle?: DatabaseConnection["caBundle"];
}

/**
 * CronJob spec (pure data). Backup: the database client dumps into a shared emptyDir in an init container and
 * the aws cli container uploads it; verify: the aws cli container fetches and checks the newest object, the
 * client container restores it into a scratch database. Each image stays small and pinned.
 */
export function buildCronJobSpec(i: CronJobInputs): CronJobSpec {
  const { r } = i;
  const tmp = tmpVolume("tmp", "256Mi");
  const caDir = i.caBundle?.file.replace(/\/[^/]+$/, "");
  const mounts = [
    { name: "script", mountPath: SCRIPT_DIR, readOnly: true },
    { name: "staging", mountPath: STAGING_DIR },
    tmp.mount,
    ...(caDir ? [{ name: "ca-bundle", mountPath: caDir, readOnly: true }] : []),
  ];
  // The dump lives in the staging emptyDir: bound it, and request that much node disk so the scheduler places
  // the job where it fits; the limit adds room for /tmp and container logs.
  const resources = {
    requests: { ...r.resources.requests, "ephemeral-storage": r.stagingSize },
    limits: { ...r.resources.limits, "ephemeral-storage": r.ephemeralStorageLimit },
  };
  const container = (name: string, image: string, command: string, env: EnvVar[]) => ({
    name,
    image,
    imagePullPolicy: "IfNotPresent",
    command: ["bash", `${SCRIPT_DIR}/${BACKUP_SCRIPT_NAME}`, command],
    env,
    resources,
    securityContext: restrictedContainerSecurityContext(),
    volumeMounts: mounts,
  });
  const clientEnv = [...i.destinationEnv, ...i.databaseEnv];
  const storageEnv = [...i.destinationEnv, ...i.databaseEnv.filter((e) => e.name === "PGDATABASE")];
  const [first, second] =
    i.mode === "backup"
      ? [container("dump", r.images.client, "dump", clientEnv), container("upload", r.images.awsCli, "upload", storageEnv)]
      : [container("fetch", r.images.awsCli, "fetch", storageEnv), container("verify", r.images.client, "verify-local", clientEnv)];
  return wrapInCronJob(r, i.mode, i.labels, i.serviceAccountName, {
    initContainers: [first],
    containers: [second],
    volumes: [
      { name: "script", configMap: { name: i.configMapName, defaultMode: 0o555 } },
      { name: "staging", emptyDir: { sizeLimit: r.stagingSize } },
      tmp.volume,
      ...(i.caBundle ? [{ name: "ca-bundle", configMap: { name: i.caBundle.configMap } }] : []),
    ],
  });
}

type PodParts = Pick<k8s.types.input.core.v1.PodSpec, "initContainers" | "containers" | "volumes" | "terminationGracePeriodSeconds">;

/**
 * The CronJob around a backup or verify pod: the schedule, no overlapping runs, one finished Job kept of each
 * outcome (the alerts read them), the run deadline (the RTO for the restore test) and a restricted, token-less pod.
 */
export function wrapInCronJob(
  r: ResolvedBackup,
  mode: "backup" | "verify",
  labels: Record<string, string>,
  serviceAccountName: pulumi.Input<string>,
  pod: PodParts,
): CronJobSpec {
  const isVerify = mode === "verify";
  return {
    schedule: isVerify ? r.verify.schedule : r.schedule,
    timeZone: r.timeZone,
    concurrencyPolicy: "Forbid",
    startingDeadlineSeconds: r.startingDeadlineSeconds,
    successfulJobsHistoryLimit: 1,
    failedJobsHistoryLimit: 1,
    jobTemplate: {
      metadata: { labels },
      spec: {
        backoffLimit: r.backoffLimit,
        // The restore test gets the RTO as its deadline: a restore slower than the RTO is a failed test.
        activeDeadlineSeconds: isVerify ? r.verify.activeDeadlineSeconds : r.activeDeadlineSeconds,
        ttlSecondsAfterFinished: 7 * 86400,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: "Never",
            serviceAccountName,
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(),
            ...pod,
          },
        },
      },
    },
  };
}

export interface KubernetesBackupInputs {
  r: ResolvedBackup;
  ctx: PlatformContext;
  parent: pulumi.Resource;
  connection: DatabaseConnection;
  destinationUrl: pulumi.Input<string>;
  serviceAccountAnnotations?: pulumi.Input<Record<string, string>>;
  transforms?: Transforms<string>;
}

export interface KubernetesBackupResources {
  script: k8s.core.v1.ConfigMap;
  credentials?: k8s.core.v1.Secret;
  serviceAccount: k8s.core.v1.ServiceAccount;
  backupCronJob: k8s.batch.v1.CronJob;
  verifyCronJob?: k8s.batch.v1.CronJob;
  networkPolicy: k8s.networking.v1.NetworkPolicy;
}

/**
 * The backup and verify pods take no connections; they reach the database on its port (when they talk to it: a
 * native-snapshot set only calls the cloud's API) and the object store, the cloud's API and its token service over
 * HTTPS, which have no fixed addresses. DNS comes from the namespace's allow-dns policy; the instance metadata
 * endpoints stay closed.
 */
export function backupNetworkPolicy(
  r: Pick<ResolvedBackup, "name">,
  namespace: string,
  labels: Record<string, string>,
  databasePort: pulumi.Input<number> | undefined,
): k8s.networking.v1.NetworkPolicyArgs {
  return {
    // Backup names are at most 45 characters on Kubernetes (CronJob name limit), so this fits a DNS label.
    metadata: { name: `${r.name}-backup`, namespace, labels },
    spec: {
      podSelector: { matchLabels: { ...selectorLabels(r.name), "app.kubernetes.io/component": "backup" } },
      policyTypes: ["Ingress", "Egress"],
      ingress: [],
      egress: [DNS_EGRESS, ...(databasePort !== undefined ? [cidrEgress([ANYWHERE], [databasePort])] : []), cidrEgress([ANYWHERE], [443])],
    },
  };
}

export interface BackupWorkloadInputs {
  r: ResolvedBackup;
  ctx: PlatformContext;
  parent: pulumi.Resource;
  /** Files of the script ConfigMap (mounted at /opt/backup). */
  scripts: Record<string, string>;
  serviceAccountAnnotations?: pulumi.Input<Record<string, string>>;
  /** The database port the pods reach; undefined when they only call HTTPS APIs. */
  databasePort: pulumi.Input<number> | undefined;
  /** The CronJob spec of one mode, given its labels and the names of the ServiceAccount and script ConfigMap. */
  cronJobSpec: (mode: "backup" | "verify", labels: Record<string, string>, names: { serviceAccountName: pulumi.Input<string>; configMapName: pulumi.Input<string> }) => CronJobSpec;
  transforms?: Transforms<string>;
}

/**
 * What every backup set registers on Kubernetes, whatever its method: the script ConfigMap, a token-less ServiceAccount
 * (workload identity annotations), the backup CronJob, the verify CronJob when the restore test is on, and the
 * NetworkPolicy. Names and labels are the alerts' and the policy pack's contract.
 */
export function registerBackupWorkload(i: BackupWorkloadInputs): Omit<KubernetesBackupResources, "credentials"> {
  const { r, ctx } = i;
  const opts = { parent: i.parent, ...providerFor(ctx, "kubernetes") };
  const labels = standardLabels(ctx, r.name, "backup");
  const meta = backupMeta(ctx, labels);
  const script = new k8s.core.v1.ConfigMap(`${r.name}-script`, applyTransform(i.transforms, "script", { metadata: meta(r.names.configMap), data: i.scripts }), opts);
  const serviceAccount = new k8s.core.v1.ServiceAccount(
    `${r.name}-service-account`,
    applyTransform(i.transforms, "serviceAccount", {
      metadata: meta(r.names.serviceAccount, i.serviceAccountAnnotations ? { annotations: i.serviceAccountAnnotations } : {}),
      automountServiceAccountToken: false,
    }),
    opts,
  );
  const names = { serviceAccountName: serviceAccount.metadata.name, configMapName: script.metadata.name };
  const cronJob = (mode: "backup" | "verify", name: string, role: "backupCronJob" | "verifyCronJob") => {
    const modeLabels = { ...labels, "backup.platform/mode": mode };
    return new k8s.batch.v1.CronJob(
      `${r.name}-${mode}`,
      applyTransform(i.transforms, role, { metadata: { ...meta(name), labels: modeLabels }, spec: i.cronJobSpec(mode, modeLabels, names) }),
      opts,
    );
  };
  const backupCronJob = cronJob("backup", r.names.backupCronJob, "backupCronJob");
  const verifyCronJob = r.verify.enabled ? cronJob("verify", r.names.verifyCronJob, "verifyCronJob") : undefined;
  const networkPolicy = new k8s.networking.v1.NetworkPolicy(
    `${r.name}-network-policy`,
    applyTransform(i.transforms, "networkPolicy", backupNetworkPolicy(r, ctx.namespace, labels, i.databasePort)),
    opts,
  );
  return { script, serviceAccount, backupCronJob, verifyCronJob, networkPolicy };
}

/** Metadata of a backup set's objects: its name, the workload namespace and the set's standard labels. */
function backupMeta(ctx: PlatformContext, labels: Record<string, string>) {
  return (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: ctx.namespace, labels, ...extra });
}

/** A dump backup set: the password Secret when the connection has no Secret of its own, then the shared workload. */
export function registerKubernetesBackup(i: KubernetesBackupInputs): KubernetesBackupResources {
  const { r, ctx } = i;
  const opts = { parent: i.parent, ...providerFor(ctx, "kubernetes") };
  let credentials: k8s.core.v1.Secret | undefined;
  let password: { name: pulumi.Input<string>; key: string; urlKey?: string };
  if (i.connection.secretRef) {
    password = { name: i.connection.secretRef.name, key: i.connection.secretRef.passwordKey, urlKey: i.connection.secretRef.urlKey };
  } else {
    credentials = new k8s.core.v1.Secret(
      `${r.name}-credentials`,
      applyTransform(i.transforms, "credentials", {
        metadata: backupMeta(ctx, standardLabels(ctx, r.name, "backup"))(r.names.secret),
        type: "Opaque",
        stringData: {
          password: pulumi.secret(i.connection.password),
          ...(i.connection.url ? { url: pulumi.secret(i.connection.url) } : {}),
        },
      }),
      opts,
    );
    password = { name: credentials.metadata.name, key: "password", urlKey: "url" };
  }
  const workload = registerBackupWorkload({
    r, ctx, parent: i.parent, transforms: i.transforms, serviceAccountAnnotations: i.serviceAccountAnnotations,
    scripts: { [BACKUP_SCRIPT_NAME]: backupScript() },
    databasePort: i.connection.port,
    cronJobSpec: (mode, labels, names) =>
      buildCronJobSpec({
        ...names, r, mode, labels, destinationEnv: destinationEnv(r, i.destinationUrl),
        databaseEnv: databaseEnv(i.connection, password, mode === "verify" ? r.verify.query : undefined),
        caBundle: i.connection.caBundle,
      }),
  });
  return { ...workload, credentials };
}
