/**
 * The restart, privilege and log-rotation settings every platform container on the Docker target shares, with its
 * memory limit in MB (the engine's `memory` is MB). Network, user and filesystem settings differ per container
 * and stay with it.
 */
export function hardenedContainerBase(memoryMb: number) {
  return {
    restart: "unless-stopped",
    capabilities: { drops: ["ALL"] },
    securityOpts: ["no-new-privileges:true"],
    memory: memoryMb,
    logDriver: "json-file",
    logOpts: { "max-size": "10m", "max-file": "3" },
  };
}
