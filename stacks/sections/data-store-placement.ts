import type { DataPlacement, EncryptionKeys } from "../../components/lib/contracts";
import { ValidationError } from "../../components/lib/validation";

/** What a managed data store (a database or a Kafka cluster) takes from the foundation. */
export interface DataStoreDeps {
  /** Network placement from the foundation; required for managed targets. */
  placement?: DataPlacement;
  /** Customer-managed keys; `database` encrypts the stores at rest. */
  keys?: EncryptionKeys;
}

/**
 * Refuses, in one report, every managed (non-Docker) entry when the foundation gave no network placement.
 * `what` names the store in the message (e.g. "postgres", "Kafka").
 */
export function requirePlacement<T extends { target: string }>(plan: T[], deps: DataStoreDeps, prefix: string, what: (p: T) => string): void {
  const missing = plan
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.target !== "docker" && !deps.placement)
    .map(({ p, i }) => `${prefix}[${i}]: ${what(p)} on ${p.target} needs the network placement (private subnets, allowed sources) from the foundation network, but none was given`);
  if (missing.length > 0) throw new ValidationError("stack config", missing);
}

/** The placement and at-rest key a managed store gets; nothing on Docker. */
export function managedStoreArgs(target: string, deps: DataStoreDeps): { placement?: DataPlacement; encryptionKeyId?: EncryptionKeys["database"] } {
  if (target === "docker") return {};
  return { placement: deps.placement, ...(deps.keys?.database ? { encryptionKeyId: deps.keys.database } : {}) };
}
