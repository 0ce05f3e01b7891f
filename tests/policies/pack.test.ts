import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { allPolicies, policyNames } from "../../policies/rules/catalog";
import { effectiveLevel, packConfigProblems, validatePackConfig } from "../../policies/rules/config";
import { EXEMPTIONS_FILE, loadExemptions, parseExemptions, urnMatches } from "../../policies/rules/exemptions";
import { imagePinned } from "../../policies/rules/k8s-workloads";
import { networkPolicyEgress } from "../../policies/rules/k8s-network";
import { evaluate, evaluateStack, runPack } from "../helpers/policy";
import { deployment } from "./fixtures";
import { REPO_ROOT } from "../helpers/stack";

const TODAY = new Date("2026-11-29T12:00:00Z");

describe("the pack's catalog", () => {
  it("has at least 60 checks with unique names", () => {
    expect(allPolicies.length).toBeGreaterThanOrEqual(60);
    expect(new Set(policyNames).size).toBe(policyNames.length);
  });

  it("gives every check a description, severity, remediation, category and default enforcement", () => {
    const incomplete = allPolicies.filter(
      (p) =>
        !/^[a-z0-9-]+$/.test(p.name) ||
        p.description.length < 20 ||
        !["low", "medium", "high", "critical"].includes(p.severity!) ||
        (p.remediationSteps ?? "").length < 10 ||
        !["advisory", "mandatory"].includes(p.enforcementLevel!) ||
        (p.tags ?? []).length !== 1,
    );
    expect(incomplete.map((p) => p.name)).toEqual([]);
  });

  it("documents and defaults every config parameter, and never declares enforcementLevel as one", () => {
    for (const p of allPolicies) {
      for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
        expect([p.name, key, typeof (schema as any).description]).toEqual([p.name, key, "string"]);
        expect((schema as any).default).not.toBeUndefined();
        expect(key).not.toBe("enforcementLevel");
      }
    }
  });

  it("blocks on the high-stakes checks by default", () => {
    const mandatory = allPolicies.filter((p) => p.enforcementLevel === "mandatory");
    expect(mandatory.length).toBeGreaterThanOrEqual(60);
    expect(allPolicies.filter((p) => p.severity === "critical" && p.enforcementLevel !== "mandatory").map((p) => p.name)).toEqual([]);
  });
});

describe("per-stack policy config", () => {
  const read = (stack: string) => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "policies/config", `${stack}.json`), "utf8"));

  it.each(["dev", "staging", "prod"])("policies/config/%s.json matches every policy's schema", (stack) => {
    expect(packConfigProblems(read(stack), allPolicies, `policies/config/${stack}.json`)).toEqual([]);
  });

  it("keeps every check at its default level in prod and advisory on the dev laptop", () => {
    const prod = read("prod");
    expect(allPolicies.filter((p) => effectiveLevel(p, prod) !== p.enforcementLevel).map((p) => p.name)).toEqual([]);
    const dev = read("dev");
    expect(allPolicies.filter((p) => effectiveLevel(p, dev) === "mandatory").map((p) => p.name).sort()).toEqual([
      "alert-rule-severity-runbook",
      "k8s-no-secret-env-literals",
      "k8s-no-secrets-in-configmaps",
    ]);
  });

  it("names every bad entry: unknown policy, unknown or mistyped parameter, bad level", () => {
    const problems = packConfigProblems(
      {
        "k8s-min-replica": { minReplicas: 3 },
        "k8s-min-replicas": { minReplica: 3, enforcementLevel: "blocking" },
        "k8s-hpa-sane": { minReplicas: 0 },
        "backup-retention-minimum": { minRetentionDays: { postgres: "30", oracle: 9 } },
        "aws-eks-control-plane-logs": { requiredLogTypes: ["api", "everything"] },
        "k8s-no-bare-pods": "sometimes",
        all: "loud",
      },
      allPolicies,
      "policies/config/prod.json",
    );
    expect(problems).toEqual([
      'policies/config/prod.json: "k8s-min-replica": no policy of this name (did you mean "k8s-min-replicas"?)',
      'policies/config/prod.json: "k8s-min-replicas".minReplica: unknown parameter (did you mean "minReplicas"?); allowed: enforcementLevel, minReplicas, singletonComponents, environments',
      'policies/config/prod.json: "k8s-min-replicas".enforcementLevel: "blocking" is not one of advisory, mandatory, remediate, disabled',
      'policies/config/prod.json: "k8s-hpa-sane".minReplicas: 0 is below the minimum 1',
      'policies/config/prod.json: "backup-retention-minimum".minRetentionDays.postgres: "30" is string; expected integer',
      'policies/config/prod.json: "backup-retention-minimum".minRetentionDays.oracle: unknown key; allowed: postgres, redis, mysql, mongodb',
      'policies/config/prod.json: "aws-eks-control-plane-logs".requiredLogTypes[1]: "everything" is not one of "api", "audit", "authenticator", "controllerManager", "scheduler"',
      'policies/config/prod.json: "k8s-no-bare-pods": "sometimes" is not an enforcement level (advisory, mandatory, remediate, disabled)',
      'policies/config/prod.json: "all": "loud" is not an enforcement level (advisory, mandatory, remediate, disabled)',
    ]);
    expect(() => validatePackConfig({ nope: "advisory" }, allPolicies, "x.json")).toThrow('invalid policy pack config:\n  x.json: "nope": no policy of this name');
  });

  it("resolves levels as the CLI does: the policy's entry, else all, else its default; params reach the check", () => {
    expect(effectiveLevel(imagePinned, {})).toBe("mandatory");
    expect(effectiveLevel(imagePinned, { all: "advisory" })).toBe("advisory");
    expect(effectiveLevel(imagePinned, { all: "advisory", "k8s-image-pinned": { enforcementLevel: "mandatory" } })).toBe("mandatory");
    const bad = deployment("api", (p) => (p.spec.template.spec.containers[0].image = "app:latest"));
    expect(runPack([imagePinned], [bad], { "k8s-image-pinned": "disabled" })).toEqual([]);
    expect(runPack([imagePinned], [bad], { all: "advisory" }).map((d) => d.enforcementLevel)).toEqual(["advisory"]);
  });
});

describe("exemptions", () => {
  const entry = {
    policy: "k8s-image-pinned",
    urn: "urn:pulumi:prod::*::kubernetes:apps/v1:Deployment::legacy-*",
    reason: "vendor image only published as latest; replaced by #42",
    expires: "2027-01-31",
  };

  it("match URN patterns with * wildcards over the whole URN", () => {
    expect(urnMatches(entry.urn, "urn:pulumi:prod::platform::kubernetes:apps/v1:Deployment::legacy-app")).toBe(true);
    expect(urnMatches(entry.urn, "urn:pulumi:staging::platform::kubernetes:apps/v1:Deployment::legacy-app")).toBe(false);
    expect(urnMatches("urn:pulumi:*::*::*$kubernetes:batch/v1:CronJob::*", "urn:pulumi:prod::p::platform:backup:BackupJob$kubernetes:batch/v1:CronJob::x")).toBe(true);
  });

  it("report an exempted resource as advisory with the reason; others stay mandatory", () => {
    const exemptions = parseExemptions([entry], policyNames, TODAY);
    const legacy = deployment("legacy-app", (p) => (p.spec.template.spec.containers[0].image = "vendor/app:latest"));
    const other = deployment("api", (p) => (p.spec.template.spec.containers[0].image = "vendor/app:latest"));
    const [exempted] = evaluate(imagePinned, legacy, { exemptions });
    expect(exempted.enforcementLevel).toBe("advisory");
    expect(exempted.message).toContain('container "app" image "vendor/app:latest" is not pinned');
    expect(exempted.message).toContain("EXEMPTED until 2027-01-31 (policies/exemptions.json): vendor image only published as latest; replaced by #42");
    expect(evaluate(imagePinned, other, { exemptions }).map((d) => d.enforcementLevel)).toEqual(["mandatory"]);
  });

  it("apply to stack checks through the URN each problem names", () => {
    const exemptions = parseExemptions([{ ...entry, policy: "k8s-networkpolicy-egress", urn: "urn:pulumi:prod::*::*::api-deployment" }], policyNames, TODAY);
    const found = evaluateStack(networkPolicyEgress, [deployment(), deployment("web")], { exemptions });
    expect(found.map((d) => [d.urn?.split("::").pop(), d.enforcementLevel])).toEqual([
      ["api-deployment", "advisory"],
      ["web-deployment", "mandatory"],
    ]);
  });

  it("refuse an expired, undated, unexplained or misnamed entry, naming each", () => {
    const bad = [
      { ...entry, expires: "2026-11-28" },
      { ...entry, reason: "" },
      { ...entry, expires: "2027-02-30" },
      { ...entry, policy: "k8s-image-pined" },
      { ...entry, urn: "legacy-*", note: "x" },
    ];
    expect(() => parseExemptions(bad, policyNames, TODAY)).toThrow(
      [
        "invalid policy exemptions:",
        "  policies/exemptions.json[0] (k8s-image-pinned): expired on 2026-11-28 (today is 2026-11-29); fix the resource or renew the exemption with a new reason and date",
        '  policies/exemptions.json[1] (k8s-image-pinned): reason "" must say why the resource is exempt and what ends it (at least 10 characters)',
        '  policies/exemptions.json[2] (k8s-image-pinned): expires "2027-02-30" is not a date (YYYY-MM-DD)',
        '  policies/exemptions.json[3] (k8s-image-pined): policy "k8s-image-pined" is not a policy of this pack',
        "  policies/exemptions.json[4] (k8s-image-pinned): unknown key(s) note; allowed: policy, urn, reason, expires",
        '  policies/exemptions.json[4] (k8s-image-pinned): urn "legacy-*" must be a URN pattern starting with "urn:pulumi:" (* matches anything)',
      ].join("\n"),
    );
    expect(() => parseExemptions({}, policyNames, TODAY)).toThrow("must be a JSON array");
  });

  it("still hold on the last day and fail the day after", () => {
    expect(parseExemptions([{ ...entry, expires: "2026-11-29" }], policyNames, TODAY)).toHaveLength(1);
    expect(() => parseExemptions([{ ...entry, expires: "2026-11-29" }], policyNames, new Date("2026-11-30T00:00:01Z"))).toThrow("expired on 2026-11-29");
  });

  it("the central list is valid today, and a broken file fails with its name", () => {
    expect(Array.isArray(loadExemptions(policyNames, new Date()))).toBe(true); // valid (empty since #16 closed its gaps)
    const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "exemptions-")), "exemptions.json");
    fs.writeFileSync(broken, "[{");
    expect(() => loadExemptions(policyNames, TODAY, broken)).toThrow(`${broken}: cannot be read as JSON`);
    expect(EXEMPTIONS_FILE).toBe(path.join(REPO_ROOT, "policies/exemptions.json"));
  });
});

describe("config the CLI would pass through unchecked", () => {
  it("stops the check with an error naming the policy and the misspelt or mistyped parameter", () => {
    const input = deployment();
    expect(() => evaluate(imagePinned, input, { config: { pinned: true } })).toThrow(
      'invalid config for policy "k8s-image-pinned":\n  policy pack config: "k8s-image-pinned".pinned: unknown parameter; this policy takes only enforcementLevel',
    );
    expect(() => evaluateStack(networkPolicyEgress, [input], { config: { enforcementLevel: "advisory" } })).not.toThrow();
  });
});
