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

/**
 * The environment a resource belongs to: the `Environment` tag (cloud resources), the `environment` label
 * (Kubernetes objects), else the stack name in the URN (`urn:pulumi:<stack>::...`).
 */
export function environmentOf(urn: string, props: Record<string, any>): string {
  const tags = props.tags ?? {};
  const labels = props.metadata?.labels ?? {};
  const tagged = tags.Environment ?? tags.environment ?? labels.environment;
  if (typeof tagged === "string" && tagged !== "") return tagged;
  return /^urn:pulumi:([^:]+)::/.exec(urn)?.[1] ?? "";
}

/** Config property shared by checks that apply only to some environments (prod by default). */
export const ENVIRONMENTS_PARAM = {
  environments: {
    type: "array" as const,
    items: { type: "string" as const },
    default: ["prod"],
    description: "Environments (Environment tag / environment label, else the stack name) the check applies to.",
  },
};

/** Alibaba Cloud's read-only instance of an ApsaraDB RDS primary. */
export const ALICLOUD_RDS_READ_ONLY = "alicloud:rds/readOnlyInstance:ReadOnlyInstance";

/**
 * True for a read replica, recognised from the resource's own inputs: an `aws.rds.Instance` with
 * `replicateSourceDb` (its storage, backups and failover belong to the source) or an ApsaraDB read-only instance.
 * Replicas hold a copy of data the primary's backups already cover, and RDS refuses Multi-AZ, backups and a final
 * snapshot on some replica kinds, so the primary-only checks skip them.
 */
export function isReadReplica(type: string, props: Record<string, any>): boolean {
  if (type === ALICLOUD_RDS_READ_ONLY) return true;
  if (type === "aws:rds/instance:Instance") {
    const source = props.replicateSourceDb;
    return source !== undefined && source !== null && source !== "";
  }
  return false;
}

/** True for `true` or the provider's string spelling `"true"`. */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

/** Parses a JSON policy document (IAM, RAM, bucket policies) given as a string or an object. */
export function policyDocument(doc: unknown): { Statement?: any[] } | undefined {
  if (doc && typeof doc === "object") return doc as { Statement?: any[] };
  if (typeof doc !== "string") return undefined;
  try {
    return JSON.parse(doc);
  } catch {
    return undefined;
  }
}

/** A policy document's statements as an array (a single statement object is allowed by IAM). */
export function statements(doc: unknown): any[] {
  const parsed = policyDocument(doc);
  const s = parsed?.Statement;
  return Array.isArray(s) ? s : s ? [s] : [];
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

/** True when a bucket policy denies every request that does not use TLS (`SecureTransport` = false). */
export function deniesInsecureTransport(doc: unknown, conditionKey: string): boolean {
  return statements(doc).some((s) => {
    if (s.Effect !== "Deny") return false;
    const bool = s.Condition?.Bool ?? {};
    return asArray(bool[conditionKey]).map(String).includes("false");
  });
}
