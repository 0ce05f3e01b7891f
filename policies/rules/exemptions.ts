/**
 * Exemptions: `policies/exemptions.json` lists, per check, resources that may violate it for a while.
 *
 *   { "policy": "k8s-networkpolicy-egress", "urn": "urn:pulumi:*::*::*kubernetes:batch/v1:CronJob::*-backup-*",
 *     "reason": "egress policies for backup jobs land with #16", "expires": "2027-01-31" }
 *
 * `urn` is a pattern where `*` matches any run of characters (the whole URN must match). An exempted violation
 * is still reported, as advisory, with the reason. Every entry needs a known policy, a URN pattern, a reason
 * and a valid date; an entry past its expiry date is an error, so the pack refuses to run until someone
 * renews it with a fresh reason or fixes the resource.
 */
import * as fs from "fs";
import * as path from "path";

export interface Exemption {
  policy: string;
  urn: string;
  reason: string;
  /** Last day (UTC, YYYY-MM-DD) the exemption applies. */
  expires: string;
}

export const EXEMPTIONS_FILE = path.join(__dirname, "..", "exemptions.json");

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC day as YYYY-MM-DD. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function validDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && isoDay(d) === value;
}

/**
 * Checks every entry and returns them, or throws one error listing every bad entry by index and policy.
 * `knownPolicies` are the policy names of the pack (an exemption for an unknown policy is a typo).
 */
export function parseExemptions(raw: unknown, knownPolicies: readonly string[], today: Date, source = "policies/exemptions.json"): Exemption[] {
  const problems: string[] = [];
  if (!Array.isArray(raw)) throw new Error(`${source}: must be a JSON array of {policy, urn, reason, expires} entries`);
  const known = new Set(knownPolicies);
  const todayIso = isoDay(today);
  raw.forEach((entry: any, i: number) => {
    const where = `${source}[${i}]${typeof entry?.policy === "string" ? ` (${entry.policy})` : ""}`;
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) {
      problems.push(`${where}: must be an object {policy, urn, reason, expires}`);
      return;
    }
    const extra = Object.keys(entry).filter((k) => !["policy", "urn", "reason", "expires"].includes(k));
    if (extra.length > 0) problems.push(`${where}: unknown key(s) ${extra.join(", ")}; allowed: policy, urn, reason, expires`);
    if (typeof entry.policy !== "string" || !known.has(entry.policy)) {
      problems.push(`${where}: policy ${JSON.stringify(entry.policy)} is not a policy of this pack`);
    }
    if (typeof entry.urn !== "string" || !entry.urn.startsWith("urn:pulumi:")) {
      problems.push(`${where}: urn ${JSON.stringify(entry.urn)} must be a URN pattern starting with "urn:pulumi:" (* matches anything)`);
    }
    if (typeof entry.reason !== "string" || entry.reason.trim().length < 10) {
      problems.push(`${where}: reason ${JSON.stringify(entry.reason)} must say why the resource is exempt and what ends it (at least 10 characters)`);
    }
    if (typeof entry.expires !== "string" || !validDate(entry.expires)) {
      problems.push(`${where}: expires ${JSON.stringify(entry.expires)} is not a date (YYYY-MM-DD)`);
    } else if (entry.expires < todayIso) {
      problems.push(`${where}: expired on ${entry.expires} (today is ${todayIso}); fix the resource or renew the exemption with a new reason and date`);
    }
  });
  if (problems.length > 0) throw new Error(`invalid policy exemptions:\n  ${problems.join("\n  ")}`);
  return raw as Exemption[];
}

export function loadExemptions(knownPolicies: readonly string[], today: Date, file = EXEMPTIONS_FILE): Exemption[] {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: cannot be read as JSON: ${(err as Error).message}`);
  }
  return parseExemptions(raw, knownPolicies, today, path.relative(process.cwd(), file) || file);
}

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join(".*")}$`);
}

export function urnMatches(pattern: string, urn: string): boolean {
  return patternToRegExp(pattern).test(urn);
}

export function exemptionFor(exemptions: readonly Exemption[], policy: string, urn: string): Exemption | undefined {
  return exemptions.find((e) => e.policy === policy && urnMatches(e.urn, urn));
}

let active: readonly Exemption[] = [];

/** Exemptions the policies honour; set once by the pack's entry file (and by tests). */
export function activeExemptions(): readonly Exemption[] {
  return active;
}

export function useExemptions(exemptions: readonly Exemption[]): void {
  active = exemptions;
}
