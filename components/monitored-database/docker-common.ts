import * as docker from "@pulumi/docker";
import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../lib/platform";
import { applyTransform } from "../lib/transform";
import type { TargetInput } from "./target";

/** DNS alias of a database container on the backend network: `<name>-<role>`. */
export function dockerAlias(name: string, role: string): string {
  return `${name}-${role}`;
}

/**
 * Settings every database-side container shares: backend network only, read-only root filesystem,
 * all capabilities dropped, no new privileges, restart on failure, labels for inventory.
 */
export function dockerHardening(
  ctx: PlatformContext,
  alias: string,
  component: string,
): Pick<docker.ContainerArgs, "networkMode" | "networksAdvanced" | "readOnly" | "capabilities" | "securityOpts" | "restart" | "labels"> {
  const backend = ctx.dockerNetworks!.backend;
  return {
    networkMode: backend,
    networksAdvanced: [{ name: backend, aliases: [alias] }],
    readOnly: true,
    capabilities: { drops: ["ALL"] },
    securityOpts: ["no-new-privileges:true"],
    restart: "unless-stopped",
    labels: [
      { label: "app.kubernetes.io/part-of", value: ctx.project },
      { label: "app.kubernetes.io/component", value: component },
      { label: "environment", value: ctx.environment },
    ],
  };
}

/**
 * The pinned image (kept locally) and the named data volume of a database container; the volume is
 * protected like the data store itself.
 */
export function dockerImageAndVolume(
  input: TargetInput,
  opts: pulumi.CustomResourceOptions,
): { image: docker.RemoteImage; volume: docker.Volume } {
  const { name, db } = input;
  const t = db.transforms;
  const image = new docker.RemoteImage(`${name}-image`, applyTransform(t, "image", { name: db.image!, keepLocally: true }), opts);
  const volume = new docker.Volume(`${name}-data`, applyTransform(t, "volume", { labels: [{ label: "platform.database", value: name }] }), {
    ...opts,
    protect: db.protect,
  });
  return { image, volume };
}

/** Published ports of a database container: none unless asked, and then on 127.0.0.1 only. */
export function dockerLocalPorts(db: { port: number; publishPort?: number }): docker.types.input.ContainerPort[] {
  return db.publishPort !== undefined ? [{ internal: db.port, external: db.publishPort, ip: "127.0.0.1" }] : [];
}
