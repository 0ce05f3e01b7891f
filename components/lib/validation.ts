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

/**
 * Key names whose values are credentials (or where people paste credentials by mistake). Their values are never
 * echoed in an error message, whatever the value is: `secretEnv.API_KEY: sk_live_...` or `receivers[0].secret`
 * holding the webhook URL itself instead of the name of a secret config key.
 */
const SECRET_LOOKING_KEY = /secret|passw|pwd|token|api[-_]?key|private[-_]?key|credential|webhook|auth(orization)?$/i;

/** True when any segment of a key path names something secret. */
export function looksSecret(path: ReadonlyArray<PropertyKey>): boolean {
  // `secretRefs` and the like hold names of Kubernetes Secrets, not values.
  return path.some((segment) => typeof segment === "string" && SECRET_LOOKING_KEY.test(segment) && !/Refs?$/.test(segment));
}

/** A value for an error message: redacted under a secret-looking key, otherwise `describeValue`. */
export function describeValueAt(path: ReadonlyArray<PropertyKey>, value: unknown): string {
  if (value !== undefined && value !== null && looksSecret(path) && !isOutputLike(value)) {
    const size = typeof value === "string" ? `a string of ${value.length} characters` : `a ${Array.isArray(value) ? "list" : typeof value}`;
    return `${size}, not shown because the key looks secret`;
  }
  return describeValue(value);
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length];
}

/** The candidate closest to `word` if it is close enough to be a typo of it (a third of its length, at least 2). */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** `unknown key; did you mean "x"? (allowed: a, b, c)`: the same wording for root and nested keys. */
export function unknownKeyMessage(key: string, allowed: ReadonlyArray<string>, extra = ""): string {
  const guess = nearest(key, allowed);
  return `unknown key${guess ? `; did you mean "${guess}"?` : ""} (allowed: ${allowed.join(", ")}${extra})`;
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

/** Rough split of a rendered key-path prefix into segment names (enough to spot secret-looking keys). */
function keyPathSegments(prefix: string): string[] {
  return prefix.split(/[.:[\]]+/).filter((s) => s !== "");
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
  const problems = schemaProblems(schema, input, prefix);
  if (problems.length > 0) throw new ValidationError(source, problems);
  return schema.parse(input);
}

/**
 * Every problem of `input` against a zod schema as `<key path>: <message> (got <value>)`; unknown keys as
 * `<key path>.<key>: unknown key; did you mean ...? (allowed: ...)`. Values under secret-looking keys are not shown.
 */
export function schemaProblems(schema: z.ZodType, input: unknown, prefix = ""): string[] {
  const result = schema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      const allowed = objectKeys(schemaAt(schema, issue.path, input));
      return issue.keys.map((k) => `${keyPath(prefix, [...issue.path, k])}: ${allowed.length > 0 ? unknownKeyMessage(k, allowed) : "unknown key"}`);
    }
    const got = describeValueAt(issue.path, valueAt(input, issue.path));
    return [`${keyPath(prefix, issue.path)}: ${issue.message} (got ${got})`];
  });
}

interface ZodDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
  getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType): ZodDef => (schema as unknown as { _zod: { def: ZodDef } })._zod.def;

/** Strips wrappers (optional, default, pipe, lazy...) down to the schema that does the checking. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 20; i++) {
    const def = defOf(current);
    const next = def.innerType ?? def.in ?? (def.type === "lazy" && def.getter ? def.getter() : undefined);
    if (!next) return current;
    current = next;
  }
  return current;
}

/**
 * The (unwrapped) schema at `path` inside `schema`, choosing among union options the one whose keys fit the
 * input best. Undefined when the path leaves what the schema describes.
 */
function schemaAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>, input: unknown): z.ZodType | undefined {
  let current: z.ZodType | undefined = unwrap(schema);
  let value: unknown = input;
  for (const segment of path) {
    current = current ? pickUnionOption(current, value) : undefined;
    if (!current) return undefined;
    const def = defOf(current);
    if (def.type === "object" && def.shape && typeof segment === "string") current = def.shape[segment];
    else if (def.type === "array" && def.element) current = def.element;
    else if (def.type === "record" && def.valueType) current = def.valueType;
    else return undefined;
    current = current ? unwrap(current) : undefined;
    value = value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
  }
  return current ? pickUnionOption(current, value) : undefined;
}

function pickUnionOption(schema: z.ZodType, value: unknown): z.ZodType {
  const def = defOf(schema);
  if (def.type !== "union" || !def.options) return schema;
  const objects = def.options.map(unwrap).filter((o) => defOf(o).type === "object");
  if (objects.length === 0) return schema;
  const keys = value !== null && typeof value === "object" ? Object.keys(value) : [];
  const fit = (o: z.ZodType) => keys.filter((k) => k in (defOf(o).shape ?? {})).length;
  return objects.reduce((best, o) => (fit(o) > fit(best) ? o : best), objects[0]);
}

/** Keys of an object schema, or [] for anything else. */
function objectKeys(schema: z.ZodType | undefined): string[] {
  if (!schema) return [];
  const def = defOf(schema);
  return def.type === "object" && def.shape ? Object.keys(def.shape) : [];
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
    const segments = typeof path === "string" ? [path] : path;
    this.list.push(`${where}: ${allowed} (got ${describeValueAt([...keyPathSegments(this.prefix), ...segments], value)})`);
  }

  /** Records a problem already rendered as `<key path>: <message>` (e.g. from a nested validator). */
  addRendered(...problems: string[]): void {
    this.list.push(...problems);
  }

  /** Runs `check`; a ValidationError it throws becomes problems here, anything else propagates. */
  collect<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      this.list.push(...e.problems);
      return undefined;
    }
  }

  get all(): readonly string[] {
    return this.list;
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

/**
 * Name of a secret config key (`pulumi config set --secret <name> ...`) that a setting refers to; the value itself
 * never appears in the stack file. `example` is shown in the error message.
 */
export function secretConfigKeyName(example: string) {
  return z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, { message: `must be a secret config key name like ${example}` });
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

/**
 * Prometheus (and Alertmanager) duration: `30s`, `5m`, `1h`, `1h30m`. Units largest first, each at most once, as
 * their parser (prometheus/common model.ParseDuration) requires: `30m1h` is refused by both.
 */
export const promDuration = z
  .string()
  .regex(/^(?=\d)(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/, { message: "must be a Prometheus duration like 30s, 5m or 1h" });

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
