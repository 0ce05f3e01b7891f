import * as alicloud from "@pulumi/alicloud";
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { DatabaseConnection } from "../lib/contracts";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, tmpVolume } from "../lib/k8s";
import { selectorLabels, standardLabels } from "../lib/labels";
import { k8sName } from "../lib/naming";
import { ANYWHERE, cidrEgress, DNS_EGRESS } from "../lib/network-policy";
import { providerFor } from "../lib/platform";
import { connectionUrl, credentialsSecret, PASSWORD_KEY, PASSWORD_SPEC, URL_KEY } from "./credentials";
import { dockerHardening } from "./docker-common";
import { logicalDatabasesScript, logicalPasswordEnv, type LogicalDatabase } from "./logical-sql";
import type { TargetInput, TargetOutput } from "./target";

/** psql client image of the provisioning Job (PostgreSQL 17 client speaks to servers 10–17; has \getenv). */
export const PROVISIONER_IMAGE = "postgres:17.2-alpine";
/** UID of the `postgres` user in the Alpine images. */
const PROVISIONER_UID = 70;

export interface LogicalInput extends TargetInput {
  target: TargetOutput;
}

export interface LogicalOutput {
  connections: Record<string, DatabaseConnection>;
  children: Record<string, pulumi.Resource>;
}

/** Kubernetes Secret of one logical database: `<name>-db-<logical>` (always within 63 characters). */
export function logicalSecretName(name: string, logical: string): string {
  return k8sName(name, "db", logical.replace(/_/g, "-"));
}

/**
 * Registers the logical databases of a PostgreSQL instance: a generated password per role (a Pulumi
 * secret), the databases and roles themselves (per target), and, on Kubernetes, one credentials Secret per
 * database so services reference their own password only.
 */
export function registerLogicalDatabases(input: LogicalInput): LogicalOutput {
  const { parent, name, db, ctx, target } = input;
  const list = db.logicalDatabases;
  if (list.length === 0) return { connections: {}, children: {} };
  const children: Record<string, pulumi.Resource> = {};
  const passwords: Record<string, pulumi.Output<string>> = {};
  for (const l of list) {
    const pw = new random.RandomPassword(`${name}-${l.name}-password`, { ...PASSWORD_SPEC }, { parent });
    children[`${l.name}Password`] = pw;
    passwords[l.name] = pulumi.secret(pw.result);
  }

  Object.assign(children, provision(input, list, passwords));

  const connections: Record<string, DatabaseConnection> = {};
  for (const l of list) {
    const password = passwords[l.name];
    let secretRef: DatabaseConnection["secretRef"];
    const url = connectionUrl("postgres", { username: l.user, databaseName: l.name }, target.host, target.port, target.tls, password);
    if (ctx.target === "kubernetes") {
      const secret = credentialsSecret(parent, `${name}-${l.name}`, db, ctx, password, url, logicalSecretName(name, l.name));
      children[`${l.name}CredentialsSecret`] = secret;
      secretRef = { name: secret.metadata.name, passwordKey: PASSWORD_KEY, urlKey: URL_KEY };
    }
    connections[l.name] = {
      engine: "postgres",
      host: target.host,
      port: target.port,
      user: pulumi.output(l.user),
      database: pulumi.output(l.name),
      password,
      url,
      tls: target.tls,
      // A read replica copies the whole instance (physical replication), so every logical database is on it too.
      ...(target.replicas?.length ? { replicaHosts: target.replicas.map((r) => r.host) } : {}),
      ...(secretRef ? { secretRef } : {}),
    };
  }
  return { connections, children };
}

function provision(input: LogicalInput, list: LogicalDatabase[], passwords: Record<string, pulumi.Output<string>>): Record<string, pulumi.Resource> {
  if (input.db.target === "alicloud") return provisionOnAlicloud(input, list, passwords);
  if (input.ctx.target === "kubernetes") return provisionWithJob(input, list, passwords);
  return provisionWithContainer(input, list, passwords);
}

/** ApsaraDB models accounts and databases natively: a Normal account per role, owner of its database. */
function provisionOnAlicloud(input: LogicalInput, list: LogicalDatabase[], passwords: Record<string, pulumi.Output<string>>): Record<string, pulumi.Resource> {
  const { parent, name, ctx, target } = input;
  const opts = { parent, ...providerFor(ctx, "alicloud") };
  const instanceId = (target.children.instance as alicloud.rds.Instance).id;
  const out: Record<string, pulumi.Resource> = {};
  for (const l of list) {
    const account = new alicloud.rds.Account(
      `${name}-${l.name}-account`,
      { dbInstanceId: instanceId, accountName: l.user, accountPassword: passwords[l.name], accountType: "Normal" },
      opts,
    );
    const database = new alicloud.rds.Database(`${name}-${l.name}-database`, { instanceId, dataBaseName: l.name, characterSet: "UTF8" }, opts);
    const privilege = new alicloud.rds.AccountPrivilege(
      `${name}-${l.name}-privilege`,
      { instanceId, accountName: account.accountName, dbNames: [database.dataBaseName], privilege: "DBOwner" },
      opts,
    );
    Object.assign(out, { [`${l.name}Account`]: account, [`${l.name}Database`]: database, [`${l.name}Privilege`]: privilege });
  }
  return out;
}

/** libpq settings of the admin connection (the password is added from a secret by each runner). */
function adminEnv(input: LogicalInput): Record<string, pulumi.Input<string>> {
  const { db, target } = input;
  return {
    PGHOST: target.host,
    PGPORT: target.port.apply(String),
    PGUSER: db.username,
    PGDATABASE: db.databaseName,
    PGSSLMODE: target.tls ? "require" : "disable",
  };
}

/**
 * RDS (Kubernetes platform): a Job in the workload namespace, which the database's security group admits,
 * runs the script as the admin user. Its spec embeds the list of databases, so a change replaces the Job and
 * the script runs again; the passwords come from a Secret it alone reads. Its NetworkPolicy admits nothing in and
 * lets it reach only the cluster DNS and the database port inside the VPC (it holds the admin password).
 */
function provisionWithJob(input: LogicalInput, list: LogicalDatabase[], passwords: Record<string, pulumi.Output<string>>): Record<string, pulumi.Resource> {
  const { parent, name, db, ctx } = input;
  const opts = { parent, ...providerFor(ctx, "kubernetes") };
  const role = k8sName(name, "provision-databases");
  const labels = standardLabels(ctx, role, "database-provisioner", { "platform.example.org/database": name });
  const adminPassword = input.password;
  const secret = new k8s.core.v1.Secret(
    `${name}-provision-secret`,
    {
      metadata: { namespace: ctx.namespace, labels },
      type: "Opaque",
      stringData: pulumi.secret(
        pulumi.all([adminPassword, ...list.map((l) => passwords[l.name])]).apply(([admin, ...pws]) => ({
          PGPASSWORD: admin,
          ...Object.fromEntries(list.map((l, i) => [logicalPasswordEnv(l), pws[i]])),
        })),
      ),
    },
    opts,
  );
  const tmp = tmpVolume("tmp", "16Mi");
  const job = new k8s.batch.v1.Job(
    `${name}-provision-databases`,
    {
      metadata: { namespace: ctx.namespace, labels },
      spec: {
        backoffLimit: 6,
        activeDeadlineSeconds: 900,
        template: {
          metadata: { labels: { ...labels, ...selectorLabels(role) } },
          spec: {
            restartPolicy: "OnFailure",
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(PROVISIONER_UID),
            containers: [
              {
                name: "psql",
                image: PROVISIONER_IMAGE,
                command: ["sh", "-c", logicalDatabasesScript(db.databaseName, list)],
                env: Object.entries(adminEnv(input)).map(([k, value]) => ({ name: k, value })),
                envFrom: [{ secretRef: { name: secret.metadata.name } }],
                securityContext: restrictedContainerSecurityContext(),
                resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
                volumeMounts: [tmp.mount],
              },
            ],
            volumes: [tmp.volume],
          },
        },
      },
    },
    opts,
  );
  const vpcCidrs = (db.placement?.allowedCidrBlocks ?? []).filter((c): c is string => typeof c === "string");
  const networkPolicy = new k8s.networking.v1.NetworkPolicy(
    `${name}-provision-databases`,
    {
      metadata: { name: role, namespace: ctx.namespace, labels },
      spec: {
        podSelector: { matchLabels: selectorLabels(role) },
        policyTypes: ["Ingress", "Egress"],
        ingress: [],
        egress: [DNS_EGRESS, cidrEgress(vpcCidrs.length > 0 ? vpcCidrs : [ANYWHERE], [input.target.port])],
      },
    } satisfies k8s.networking.v1.NetworkPolicyArgs,
    opts,
  );
  return { provisionSecret: secret, provisionJob: job, provisionNetworkPolicy: networkPolicy };
}

/**
 * Docker: a one-shot container of the database image on the backend network runs the script; Pulumi waits for
 * it to exit (attach) and fails the update when it does not exit 0.
 */
function provisionWithContainer(input: LogicalInput, list: LogicalDatabase[], passwords: Record<string, pulumi.Output<string>>): Record<string, pulumi.Resource> {
  const { parent, name, db, ctx, target } = input;
  const alias = `${name}-provision`;
  // The provisioner's own client (psql 17 has \getenv whatever the server version).
  const image = new docker.RemoteImage(`${name}-provision-image`, { name: PROVISIONER_IMAGE, keepLocally: true }, { parent, ...providerFor(ctx, "docker") });
  const admin: pulumi.Output<Record<string, string>> = pulumi.output(adminEnv(input));
  const secrets: pulumi.Output<string[]> = pulumi.all([input.password, ...list.map((l) => passwords[l.name])]);
  const envs = pulumi
    .all([admin, secrets])
    .apply(([settings, [adminPw, ...pws]]) => [
      ...Object.entries(settings).map(([k, v]) => `${k}=${v}`),
      `PGPASSWORD=${adminPw}`,
      ...list.map((l, i) => `${logicalPasswordEnv(l)}=${pws[i]}`),
    ]);
  const container = new docker.Container(
    `${name}-provision`,
    {
      image: image.imageId,
      hostname: alias,
      user: `${PROVISIONER_UID}:${PROVISIONER_UID}`,
      command: ["sh", "-c", logicalDatabasesScript(db.databaseName, list)],
      envs: pulumi.secret(envs),
      memory: 128,
      attach: true,
      logs: false,
      mustRun: false,
      ...dockerHardening(ctx, alias, "database-provisioner"),
      restart: "no",
    } satisfies docker.ContainerArgs,
    { parent, ...providerFor(ctx, "docker"), dependsOn: [target.children.container] },
  );
  return { provisionImage: image, provisionContainer: container };
}
