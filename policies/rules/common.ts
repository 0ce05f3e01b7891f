/** Helpers shared by the rule modules. Pure functions over plain resource properties. */

/** Ports that may be open to the world: the load balancer's HTTP and HTTPS listeners. */
export const WORLD_PORTS = new Set([80, 443]);

export const WORLD_CIDRS = new Set(["0.0.0.0/0", "::/0"]);

/** True when the port range [from, to] stays within the ports allowed from the world. */
export function onlyWebPorts(from: number | undefined, to: number | undefined): boolean {
  if (from === undefined || to === undefined) return false;
  if (from === -1 || to === -1) return false; // all ports
  for (let p = from; p <= to; p++) if (!WORLD_PORTS.has(p)) return false;
  return true;
}

/** Production resources are recognised by the `Environment` tag every component applies. */
export function isProduction(tags: Record<string, string> | undefined): boolean {
  return (tags?.Environment ?? tags?.environment) === "prod";
}

/** An image pinned by tag (not `latest`) or by digest. */
export function isPinnedImage(image: string | undefined): boolean {
  if (!image) return false;
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return true;
  const last = image.split("/").pop() ?? "";
  const colon = last.lastIndexOf(":");
  if (colon < 0) return false;
  const tag = last.slice(colon + 1);
  return tag !== "" && tag !== "latest";
}
