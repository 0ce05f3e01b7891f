import { z } from "zod";

/**
 * Raised when stack config or component args are invalid. It is thrown synchronously, before any
 * resource is registered, and its message names every bad key path, the bad value and what is allowed.
 */
export class ValidationError extends Error {
  constructor(
    /** Where the input came from, e.g. `stack config` or `AppService "api" args`. */
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid ${source}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ValidationError";
  }
}

/** Renders a value for an error message without dumping secrets or huge objects. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (isOutputLike(value)) return "<pulumi output>";
  try {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return String(value);
  }
}

function isOutputLike(value: unknown): boolean {
  return typeof value === "object" && value !== null && "apply" in value && "isKnown" in value;
}

/** Joins a path like ["services", 0, "image"] into `services[0].image` under an optional prefix. */
export function keyPath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  let out = prefix;
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out && !out.endsWith(":") ? `.${String(segment)}` : String(segment);
  }
  return out || "(root)";
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/**
 * Validates `input` against a zod schema and returns the parsed value, or throws one ValidationError
 * listing every problem as `<key path>: <message> (got <value>)`.
 *
 * @param source   human label for the error header
 * @param prefix   key path prefix, e.g. `platform:services[2]`
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  source: string,
  prefix = "",
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = keyPath(prefix, issue.path);
    const got = describeValue(valueAt(input, issue.path));
    return `${path}: ${issue.message} (got ${got})`;
  });
  throw new ValidationError(source, problems);
}

/** Collects problems from hand-written cross-field checks, then throws them together. */
export class Problems {
  private readonly list: string[] = [];
  constructor(
    private readonly source: string,
    private readonly prefix = "",
  ) {}

  /** Records a problem at `path` (relative to the prefix) with the bad value and what is allowed. */
  add(path: ReadonlyArray<PropertyKey> | string, value: unknown, allowed: string): void {
    const where = typeof path === "string" ? keyPath(this.prefix, [path]) : keyPath(this.prefix, path);
    this.list.push(`${where}: ${allowed} (got ${describeValue(value)})`);
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new ValidationError(this.source, this.list);
  }
}

// ---------------------------------------------------------------------------------------------
// Reusable zod refinements for values that other programs will parse later.
// ---------------------------------------------------------------------------------------------

const CPU_QUANTITY = /^(\d+m|\d+(\.\d+)?)$/;
const MEMORY_QUANTITY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

/** Kubernetes CPU quantity: `250m`, `0.5`, `2`. */
export const cpuQuantity = z
  .string()
  .regex(CPU_QUANTITY, { message: "must be a CPU quantity like 250m, 0.5 or 2" });

/** Kubernetes memory quantity: `512Mi`, `1Gi`, `1G`. */
export const memoryQuantity = z
  .string()
  .regex(MEMORY_QUANTITY, { message: "must be a memory quantity like 256Mi, 1Gi or 1G" });

const BYTES: Record<string, number> = {
  "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Converts a memory quantity to bytes (for comparing requests with limits). */
export function memoryBytes(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(quantity);
  if (!m || !(m[2] in BYTES)) throw new Error(`not a memory quantity: ${quantity}`);
  return Number(m[1]) * BYTES[m[2]];
}

/** Converts a CPU quantity to millicores. */
export function cpuMillis(quantity: string): number {
  return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
}

/** TCP/UDP port 1–65535. */
export const port = z
  .number()
  .int({ message: "must be an integer port" })
  .min(1, { message: "must be a port between 1 and 65535" })
  .max(65535, { message: "must be a port between 1 and 65535" });

/**
 * Container image pinned by tag or digest. `latest`, a missing tag, or a moving tag is refused
 * because a rollback must be able to name exactly what ran.
 */
export const pinnedImage = z.string().superRefine((image, ctx) => {
  const problem = imagePinProblem(image);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

export function imagePinProblem(image: string): string | undefined {
  if (image.trim() === "") return "must be a non-empty image reference";
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return undefined;
  const lastSegment = image.split("/").pop() ?? image;
  const colon = lastSegment.lastIndexOf(":");
  if (colon < 0) return "must be pinned by tag or digest (e.g. repo/app:1.4.2 or repo/app@sha256:...)";
  const tag = lastSegment.slice(colon + 1);
  if (tag === "" || tag === "latest") {
    return "must be pinned by tag or digest; 'latest' and empty tags are not allowed";
  }
  return undefined;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** RFC 1123 DNS label (Kubernetes object names, namespaces): lowercase, digits, '-', max 63. */
export const dnsLabel = z
  .string()
  .regex(DNS_LABEL, { message: "must be a DNS label: lowercase letters, digits and '-', 1-63 characters, starting and ending alphanumeric" });

/** RFC 1123 DNS subdomain (names of most Kubernetes objects, e.g. Secrets): dot-separated DNS labels, max 253. */
export const dnsSubdomain = z
  .string()
  .max(253, { message: "must be a DNS subdomain of at most 253 characters" })
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    message: "must be a Kubernetes object name: lowercase letters, digits, '-' and '.', starting and ending alphanumeric",
  });

/** Fully qualified hostname (ingress hosts). A single leading `*.` wildcard is allowed. */
export const hostname = z.string().superRefine((host, ctx) => {
  const bare = host.startsWith("*.") ? host.slice(2) : host;
  const labels = bare.split(".");
  const ok =
    bare.length <= 253 &&
    labels.length >= 2 &&
    labels.every((l) => DNS_LABEL.test(l)) &&
    /[a-z]/.test(labels[labels.length - 1]);
  if (!ok) ctx.addIssue({ code: "custom", message: "must be a lowercase DNS hostname like app.example.com" });
});

/** Prometheus duration: `30s`, `5m`, `1h`, `1h30m`. */
export const promDuration = z
  .string()
  .regex(/^(\d+(ms|s|m|h|d|w|y))+$/, { message: "must be a Prometheus duration like 30s, 5m or 1h" });

/** Converts a Prometheus duration (`1h30m`) to seconds. */
export function durationSeconds(duration: string): number {
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  let total = 0;
  for (const m of duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * unit[m[2]];
  return total;
}

/** Percentage strictly between 0 and 100 (utilisation targets, thresholds). */
export const percent = z
  .number()
  .gt(0, { message: "must be a percentage greater than 0 and at most 100" })
  .max(100, { message: "must be a percentage greater than 0 and at most 100" });
