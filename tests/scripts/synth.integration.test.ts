import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { allStackArgs, placeholderSecret, resolveStackRef, synthesize, writeSynth, type SynthResult } from "../../scripts/synth/index";
import { allPolicies } from "../../policies/rules/catalog";
import { validateK8sObjects, type K8sObject } from "../helpers/k8s-schema";
import { readStackFile, REPO_ROOT } from "../helpers/stack";
import { MASK_FUNCTION } from "../../components/log-pipeline/masking";
import { runLuaFilter } from "../helpers/lua";
import { promtoolCheckRules, requireTool, run, tempDir } from "../helpers/tools";

/**
 * `npm run synth` for every bundled and example stack (staging and prod also on Alibaba Cloud): the artefacts it
 * writes are checked by the programs that consume them, and no secret is written.
 */
const variants: Array<[string, Record<string, unknown>]> = allStackArgs().flatMap((arg): Array<[string, Record<string, unknown>]> => {
  const cloudStack = ["staging", "prod"].includes(arg);
  return cloudStack ? [[arg, {}], [arg, { cloud: "alicloud" }]] : [[arg, {}]];
});
const label = ([arg, overrides]: [string, Record<string, unknown>]) =>
  `${arg}${Object.entries(overrides).map(([k, v]) => ` ${k}=${v}`).join("")}`;

const scratch = tempDir("synth");
const synthesized: Record<string, { result: SynthResult; dir: string }> = {};

beforeAll(async () => {
  requireTool("promtool", "prometheus");
  requireTool("amtool", "prometheus-alertmanager");
  for (const v of variants) {
    const result = await synthesize(resolveStackRef(v[0]), v[1]);
    const dir = path.join(scratch.dir, label(v).replace(/[^A-Za-z0-9=._-]+/g, "_"));
    writeSynth(result, dir);
    synthesized[label(v)] = { result, dir };
  }
}, 600_000);
afterAll(() => scratch.cleanup());

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Points every `*_file` setting into `dir` (with a dummy credential there), as the running Alertmanager finds them. */
function materialiseSecretFiles(config: any, dir: string): any {
  if (Array.isArray(config)) return config.map((c) => materialiseSecretFiles(c, dir));
  if (!config || typeof config !== "object") return config;
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => {
      if (k.endsWith("_file") && typeof v === "string") {
        const file = path.join(dir, v.replace(/[^A-Za-z0-9._-]+/g, "_"));
        fs.writeFileSync(file, k === "api_url_file" ? "https://hooks.example.test/x" : "dummy");
        return [k, file];
      }
      return [k, materialiseSecretFiles(v, dir)];
    }),
  );
}

/** Object kinds synth writes that have no schema in kubernetes-models nor a structural check here. */
const UNCHECKED_KINDS = new Set(["cert-manager.io/v1 ClusterIssuer"]);

describe.each(variants.map(label))("synth %s", (key) => {
  const get = () => synthesized[key];

  it("writes every artefact group with a summary", () => {
    const { result, dir } = get();
    for (const file of ["summary.md", "inventory.json", "policy-report.json", "alertmanager/alertmanager.yml"]) {
      expect(fs.existsSync(path.join(dir, file))).toBe(true);
    }
    expect(filesUnder(path.join(dir, "prometheus/rules")).length).toBeGreaterThan(0);
    expect(filesUnder(path.join(dir, "grafana/dashboards")).length).toBeGreaterThan(0);
    const target = result.inventory.some((r) => r.type === "docker:index/container:Container") ? "docker" : "kubernetes";
    expect(filesUnder(path.join(dir, target)).length).toBeGreaterThan(0);
    expect(result.summary.resources).toBe(result.inventory.length);
  });

  it("every rule file passes promtool check rules", () => {
    for (const file of filesUnder(path.join(get().dir, "prometheus/rules"))) {
      expect(promtoolCheckRules(parse(fs.readFileSync(file, "utf8")))).toMatch(/SUCCESS: \d+ rules found/);
    }
  });

  it("alertmanager.yml passes amtool check-config", () => {
    const { dir: tmp, cleanup } = tempDir("synth-amtool");
    try {
      const config = parse(fs.readFileSync(path.join(get().dir, "alertmanager/alertmanager.yml"), "utf8"));
      const file = path.join(tmp, "alertmanager.yml");
      fs.writeFileSync(file, JSON.stringify(materialiseSecretFiles(config, tmp)));
      expect(run("amtool", ["check-config", file])).toMatch(/SUCCESS/);
    } finally {
      cleanup();
    }
  });

  it("amtool routes every severity to the receivers the stack file names for it", () => {
    const { result } = get();
    const raw = readStackFile(result.ref.stack, result.ref.projectDir);
    const routes = (raw["platform:alerting"] as { routes?: Record<string, unknown> } | undefined)?.routes ?? {};
    const environment = String(raw["platform:environment"]);
    const { dir: tmp, cleanup } = tempDir("synth-amtool-routes");
    try {
      const config = parse(fs.readFileSync(path.join(get().dir, "alertmanager/alertmanager.yml"), "utf8"));
      const file = path.join(tmp, "alertmanager.yml");
      fs.writeFileSync(file, JSON.stringify(materialiseSecretFiles(config, tmp)));
      const severities = ["critical", "warning", "info"].filter((s) => Array.isArray(routes[s]));
      expect(severities.length).toBeGreaterThan(0);
      for (const severity of severities) {
        const expected = [...new Set(routes[severity] as string[])].join(",");
        const labels = [`severity=${severity}`, `environment=${environment}`, "alertname=SynthRouteCheck"];
        expect(run("amtool", ["config", "routes", "test", `--config.file=${file}`, `--verify.receivers=${expected}`, ...labels]).trim()).toBe(expected);
      }
    } finally {
      cleanup();
    }
  });

  it("writes one file per Kubernetes object, and every object validates against its schema", () => {
    const objects: K8sObject[] = filesUnder(path.join(get().dir, "kubernetes")).map((f) => parse(fs.readFileSync(f, "utf8")));
    const registered = get().result.inventory.filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.type !== "kubernetes:helm.sh/v3:Release");
    expect(objects.length).toBe(registered.length);
    const unchecked = objects.filter((o) => UNCHECKED_KINDS.has(`${o.apiVersion} ${o.kind}`));
    expect(() => validateK8sObjects(objects.filter((o) => !unchecked.includes(o)))).not.toThrow();
  });

  it("dashboards are Grafana dashboard JSON with panels", () => {
    for (const file of filesUnder(path.join(get().dir, "grafana/dashboards"))) {
      const model = JSON.parse(fs.readFileSync(file, "utf8"));
      expect(typeof model.title).toBe("string");
      expect(model.panels.length).toBeGreaterThan(0);
    }
  });

  it("the policy report ran the whole pack under the stack's config and found no mandatory violation", () => {
    const report = JSON.parse(fs.readFileSync(path.join(get().dir, "policy-report.json"), "utf8"));
    expect(report.policies.map((p: { name: string }) => p.name)).toEqual(allPolicies.map((p) => p.name));
    expect(report.config).toBe(`policies/config/${get().result.ref.stack}.json`);
    expect(report.violations.filter((v: { enforcementLevel: string }) => v.enforcementLevel === "mandatory")).toEqual([]);
  });

  it("writes no secret: placeholders appear only as markers", () => {
    const text = filesUnder(get().dir).map((f) => fs.readFileSync(f, "utf8")).join("\n");
    expect(text).not.toContain("mock-secret-");
    expect(text).not.toContain("synth-placeholder-");
    expect(text).toMatch(/<secret(:[A-Za-z0-9]+)?>|<secret:generated>/);
  });
});

/**
 * The log and trace pipelines' own configs, as the stacks render them (the examples turn them on): every trace
 * collector config through `otelcol validate` (the collector built at the pinned image's release), every masking
 * script through LuaJIT as Fluent Bit's filter_lua calls it, on log lines shaped like the playbooks'.
 */
describe("log masking and trace collector configs of the stacks, by the real programs", () => {
  const configs = (pick: (file: string, doc: any) => string | undefined) =>
    Object.entries(synthesized).flatMap(([key, { dir }]) =>
      filesUnder(dir).flatMap((file) => {
        const text = fs.readFileSync(file, "utf8");
        const found = pick(file.slice(dir.length + 1), file.endsWith(".yaml") && file.includes(`${path.sep}kubernetes${path.sep}`) ? parse(text) : text);
        return found === undefined ? [] : [{ key, file: file.slice(dir.length + 1), content: found }];
      }),
    );

  it("every trace collector config passes otelcol validate", () => {
    const OTELCOL = run("bash", [path.join(REPO_ROOT, "scripts/build-otelcol.sh")]).trim();
    const collectors = configs((file, doc) => {
      if (file.startsWith("kubernetes/")) return doc?.kind === "ConfigMap" && doc.metadata?.labels?.["app.kubernetes.io/component"] === "trace-collector" ? doc.data["config.yaml"] : undefined;
      return /^docker\/[^/]*collector[^/]*\/.*\.yaml$/.test(file) ? doc : undefined;
    });
    // payment-platform (004) runs Jaeger tracing: at least its collector is here.
    expect(collectors.map((c) => c.key)).toContain("examples/payment-platform/prod");
    const { dir, cleanup } = tempDir("synth-otelcol");
    try {
      for (const c of collectors) {
        const file = path.join(dir, "config.yaml");
        fs.writeFileSync(file, c.content);
        let outcome: string;
        try {
          run(OTELCOL, ["validate", `--config=${file}`]);
          outcome = "valid";
        } catch (e) {
          outcome = (e as Error).message;
        }
        expect({ stack: c.key, file: c.file, outcome }).toEqual({ stack: c.key, file: c.file, outcome: "valid" });
      }
    } finally {
      cleanup();
    }
  });

  it("every masking script masks the playbooks' secrets and keeps the rest", () => {
    const scripts = configs((file, doc) => {
      if (file.startsWith("kubernetes/")) return doc?.kind === "ConfigMap" && doc.data?.["mask.lua"] ? doc.data["mask.lua"] : undefined;
      return file.startsWith("docker/") && file.endsWith("/mask.lua") ? doc : undefined;
    });
    // potato-chat (001, ELK; dev Loki), paimon (002, ELK) and payment-platform (004, Loki) ship logs.
    expect([...new Set(scripts.map((s) => s.key))]).toEqual(expect.arrayContaining(["examples/potato-chat/prod", "examples/potato-chat/dev", "examples/paimon/prod", "examples/payment-platform/prod"]));
    const lines = [
      // 001 logstash.conf's gsub targets: credentials in a query string.
      { level: "info", msg: "GET /api/v1/login?user=alice&password=hunter2&token=eyJhbGciOiJIUzI1NiJ9.e30.sig" },
      // 002's JSONFormatter line with a password in the extra fields.
      { timestamp: "2025-01-01T00:00:00", level: "error", message: "db connect failed", service: "paimon-api", logger: "db", db_password: "s3cr3t!" },
      // 004's Zap line with a card number the service forgot to mask; trace_id must survive.
      { level: "info", ts: "2025-10-25T10:30:45.123Z", msg: "Payment created successfully", payment_no: "PAY-1", trace_id: "abc123def456", card: "4111 1111 1111 1111" },
    ];
    for (const script of scripts) {
      const results = runLuaFilter(script.content, MASK_FUNCTION, lines);
      const text = JSON.stringify(results);
      for (const secret of ["hunter2", "eyJhbGciOiJIUzI1NiJ9", "s3cr3t!", "4111 1111 1111 1111"]) expect({ script: script.file, leaked: text.includes(secret) ? secret : undefined }).toEqual({ script: script.file, leaked: undefined });
      expect(results[0].record).toMatchObject({ msg: "GET /api/v1/login?user=alice&password=***&token=***" });
      expect(results[2].record).toMatchObject({ trace_id: "abc123def456", payment_no: "PAY-1", card: "****1111" });
    }
  });
});

describe("synth keeps secrets out of plain settings too", () => {
  it("replaces a placeholder interpolated into a plain setting by its marker", async () => {
    // A custom rule whose description carries the placeholder of a real secret key (as a careless
    // interpolation would): the markers replace it, so the output stays clean ...
    const ref = resolveStackRef("dev");
    const leaky = {
      alerting: {
        ...(parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8")).config["platform:alerting"] as object),
        customRules: [
          { alert: "Leaky", expr: "up == 0", for: "5m", severity: "warning", summary: "x", description: `token ${placeholderSecret("apiJwtSecret")}` },
        ],
      },
    };
    const result = await synthesize(ref, leaky);
    const rules = [...result.files].filter(([f]) => f.startsWith("prometheus/rules/")).map(([, c]) => c).join("\n");
    expect(rules).toContain("token <secret:apiJwtSecret>");
    expect(rules).not.toContain(placeholderSecret("apiJwtSecret"));
  });
});

describe("npm run synth (the command line)", () => {
  it("writes out/<stack> and prints the summary table; a bad stack name fails naming the choices", () => {
    const { dir, cleanup } = tempDir("synth-cli");
    try {
      const out = run(process.execPath, ["scripts/synth.js", "dev", "--out", dir], { cwd: REPO_ROOT });
      expect(out).toMatch(/\| stack +\| resources/);
      expect(out).toMatch(/\| dev +\|/);
      expect(fs.existsSync(path.join(dir, "inventory.json"))).toBe(true);
      expect(() => run(process.execPath, ["scripts/synth.js", "nope"], { cwd: REPO_ROOT })).toThrow(/no stack "nope": expected one of the bundled stacks \(dev, prod, staging\)/);
    } finally {
      cleanup();
    }
  });
});
