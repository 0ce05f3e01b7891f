import type * as docker from "@pulumi/docker";
import type { PlatformContext } from "../lib/platform";

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
