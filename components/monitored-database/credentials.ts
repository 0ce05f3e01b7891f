import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../lib/labels";
import { k8sName } from "../lib/naming";
import { providerFor, type PlatformContext } from "../lib/platform";
import { applyTransform } from "../lib/transform";
import type { Engine } from "./args";
import type { ResolvedDatabase } from "./validate";

/** Keys of the credentials Secret (Kubernetes platform target). */
export const PASSWORD_KEY = "password";
export const URL_KEY = "url";

/**
 * Generated passwords use letters and digits only: they are valid as an RDS master password and an
 * ElastiCache AUTH token, and need no escaping inside a connection URL. 32 characters ≈ 190 bits.
 */
export const PASSWORD_SPEC = { length: 32, special: false, upper: true, lower: true, numeric: true, minUpper: 2, minLower: 2, minNumeric: 2 };

/** The client connection URL, as a secret (it embeds the password). */
export function connectionUrl(
  engine: Engine,
  db: Pick<ResolvedDatabase, "username" | "databaseName">,
  host: pulumi.Input<string>,
  port: pulumi.Input<number>,
  tls: boolean,
  password: pulumi.Input<string>,
  /** Extra URL query options the target needs (MongoDB: `replicaSet=rs0&retryWrites=false` on DocumentDB). */
  options?: pulumi.Input<string>,
): pulumi.Output<string> {
  const extra = pulumi.output(options ?? "").apply((o) => (o ? `&${o}` : ""));
  const url = {
    postgres: () => pulumi.interpolate`postgresql://${db.username}:${password}@${host}:${port}/${db.databaseName}?sslmode=${tls ? "require" : "disable"}${extra}`,
    redis: () => pulumi.interpolate`${tls ? "rediss" : "redis"}://:${password}@${host}:${port}/0`,
    // The admin user lives in the admin database; the path names the application's database.
    mongodb: () => pulumi.interpolate`mongodb://${db.username}:${password}@${host}:${port}/${db.databaseName}?authSource=admin&tls=${tls ? "true" : "false"}${extra}`,
  }[engine]();
  return pulumi.secret(url);
}

/** Name of the credentials Secret an AppService references (`secretRefs`). */
export function credentialsSecretName(name: string, engine: Engine): string {
  return k8sName(name, engine, "credentials");
}

/** Kubernetes Secret with `password` and `url` (plus non-secret connection facts for convenience). */
export function credentialsSecret(
  parent: pulumi.Resource,
  name: string,
  db: ResolvedDatabase,
  ctx: PlatformContext,
  password: pulumi.Output<string>,
  url: pulumi.Output<string>,
  /** Physical Secret name; defaults to the data store's `<name>-<engine>-credentials`. */
  secretName = credentialsSecretName(name, db.engine),
): k8s.core.v1.Secret {
  return new k8s.core.v1.Secret(
    `${name}-credentials`,
    applyTransform(db.transforms, "credentialsSecret", {
      metadata: {
        name: secretName,
        namespace: ctx.namespace,
        labels: standardLabels(ctx, name, "database"),
      },
      type: "Opaque",
      stringData: pulumi.secret(pulumi.all([password, url]).apply(([pw, u]) => ({ [PASSWORD_KEY]: pw, [URL_KEY]: u }))),
    }),
    { parent, ...providerFor(ctx, "kubernetes") },
  );
}
