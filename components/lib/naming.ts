import { createHash } from "crypto";

/**
 * Physical names for resources that need one (buckets, RDS identifiers, Kubernetes objects referenced
 * by name). Names are permanent API, so this never truncates: an over-long name is an error the user
 * fixes by choosing a shorter prefix, not a silent rename that replaces a resource.
 */
export interface PhysicalNameRules {
  /** Maximum length the provider accepts. */
  maxLength: number;
  /** Allowed characters after normalisation. Defaults to lowercase DNS characters. */
  pattern?: RegExp;
  /** Separator between parts. */
  separator?: string;
}

const DEFAULT_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function physicalName(parts: ReadonlyArray<string>, rules: PhysicalNameRules): string {
  const name = parts.filter((p) => p !== "").join(rules.separator ?? "-").toLowerCase();
  if (name.length > rules.maxLength) {
    throw new Error(
      `name "${name}" is ${name.length} characters; the limit is ${rules.maxLength}. Use a shorter project, environment or component name.`,
    );
  }
  const pattern = rules.pattern ?? DEFAULT_PATTERN;
  if (!pattern.test(name)) throw new Error(`name "${name}" does not match ${pattern}`);
  return name;
}

/** Kubernetes object name (DNS label, 63 characters). */
export function k8sName(...parts: string[]): string {
  return physicalName(parts, { maxLength: 63 });
}

/** Name of a child resource inside a component: `${parent}-${role}` (the Pulumi logical name). */
export function childName(parent: string, role: string): string {
  return `${parent}-${role}`;
}

/**
 * An identifier capped at `maxLength` that is not a resource's permanent name (a Grafana dashboard uid, a file
 * name): the joined parts when they fit, otherwise a prefix of them plus 8 hex characters of their SHA-256, so two
 * long inputs never collapse into one identifier (plain truncation made every service of a long namespace share
 * one dashboard uid).
 */
export function boundedId(parts: ReadonlyArray<string>, maxLength: number): string {
  const full = parts.filter((p) => p !== "").join("-").toLowerCase();
  if (full.length <= maxLength) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 8);
  return `${full.slice(0, maxLength - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}
