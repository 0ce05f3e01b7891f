import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { engineStack, engineTargets, exampleProjectDir, resolvedServices, secretMarker, staticVolumes, type EngineStack } from "./engine-stacks";
import { FIXTURES, writeFixtureCharts } from "./fixture-charts";
import { KubeApi, kindPath } from "./kube-api";
import { CHART_KEYS } from "../../components/lib/charts";
import { projectDirFor, PulumiCli, tail, type CliResult } from "./pulumi-cli";
import { recordTiming } from "./timings";

/**
 * The engine tier: the real Pulumi CLI, Node.js language host and Kubernetes provider deploy the Kubernetes part
 * of every bundled stack onto the local control plane started by scripts/test-engine.sh (etcd, kube-apiserver,
 * controller-manager, scheduler and a kwok node on 127.0.0.1): preview -> up -> read back -> 0-change up ->
 * policy pack -> destroy, and the state is scanned for plaintext secrets.
 */

const REPO_ROOT = path.resolve(__dirname, "../..");
const KUBECONFIG = process.env.ENGINE_KUBECONFIG ?? "";
/** Bundled stacks with a Kubernetes part (dev runs on Docker), then every example environment on Kubernetes. */
const TARGETS = engineTargets(REPO_ROOT);

let api: KubeApi;
/** The CLI of the bundled project; examples get their own (their project directory) while they run. */
let rootCli: PulumiCli;
let cli: PulumiCli;
let charts: Record<string, { path: string }>;
let fixturesDir: string;
const outputs: CliResult[] = [];

beforeAll(() => {
  if (!KUBECONFIG || !fs.existsSync(KUBECONFIG)) {
    throw new Error("ENGINE_KUBECONFIG is not set: run the engine tier with `npm run test:engine` (it starts the local control plane)");
  }
  api = new KubeApi(KUBECONFIG);
  fixturesDir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-charts-"));
  charts = writeFixtureCharts(fixturesDir);
  rootCli = new PulumiCli(projectDirFor(REPO_ROOT));
  cli = rootCli;
});

afterAll(() => {
  rootCli?.cleanup();
  if (rootCli) fs.rmSync(rootCli.projectDir, { recursive: true, force: true });
  if (fixturesDir) fs.rmSync(fixturesDir, { recursive: true, force: true });
});

it("has a fixture chart for every chart the library installs", () => {
  expect(Object.keys(FIXTURES).sort()).toEqual([...CHART_KEYS].sort());
  for (const key of CHART_KEYS) expect(fs.existsSync(path.join(charts[key].path, "Chart.yaml"))).toBe(true);
});

async function run(args: string[], input?: string): Promise<CliResult> {
  const result = await cli.ok(args, input);
  outputs.push(result);
  return result;
}

/** `pulumi stack init` + the derived config file + every secret through `pulumi config set --secret`. */
async function initStack(stack: EngineStack): Promise<void> {
  await run(["stack", "init", stack.name, "--secrets-provider", "passphrase"]);
  const file = path.join(cli.projectDir, `Pulumi.${stack.name}.yaml`);
  const doc = parse(fs.readFileSync(file, "utf8")) ?? {};
  fs.writeFileSync(file, stringify({ ...doc, config: stack.config }));
  for (const [key, value] of Object.entries(stack.secrets)) {
    await run(["config", "set", "--secret", key, "--stack", stack.name], value);
  }
  const written = fs.readFileSync(file, "utf8");
  for (const value of Object.values(stack.secrets)) expect(written).not.toContain(value);
}

/** Every Kubernetes object Pulumi recorded in the stack's state, with its API path. */
function kubernetesObjectsInState(state: any): Array<{ type: string; urn: string; apiPath: string }> {
  const out: Array<{ type: string; urn: string; apiPath: string }> = [];
  for (const r of state.deployment.resources ?? []) {
    if (!r.type.startsWith("kubernetes:") || r.type.startsWith("pulumi:providers") || r.type === "kubernetes:helm.sh/v3:Release") continue;
    if (r.custom !== true || r.id === undefined) continue;
    const o = r.outputs ?? {};
    const [group, version, kind] = [o.apiVersion?.includes("/") ? o.apiVersion.split("/")[0] : "", o.apiVersion?.split("/").pop(), o.kind];
    const plural = pluralOf(kind);
    const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
    const ns = o.metadata?.namespace;
    out.push({ type: r.type, urn: r.urn, apiPath: `${base}${ns ? `/namespaces/${ns}` : ""}/${plural}/${o.metadata?.name}` });
  }
  return out;
}

/** Resource name of a kind (NetworkPolicy -> networkpolicies, Ingress -> ingresses, EnvoyProxy -> envoyproxies). */
function pluralOf(kind: string): string {
  const k = kind.toLowerCase();
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  if (k.endsWith("s")) return `${k}es`;
  return `${k}s`;
}

describe.each(TARGETS.map((t) => [t.label, t] as const))("%s stack on the local control plane", (stackName, target) => {
  let stack: EngineStack;
  let namespace: string;
  let services: Array<Record<string, any>>;
  let exampleRoot: string | undefined;

  beforeAll(async () => {
    // An example runs from its own project directory (examples/<system>/index.ts), with its own backend.
    if (target.system) {
      const dir = exampleProjectDir(REPO_ROOT, target.system);
      exampleRoot = path.resolve(dir, "../..");
      cli = new PulumiCli(dir);
    } else {
      cli = rootCli;
    }
    stack = engineStack(REPO_ROOT, stackName, fs.readFileSync(KUBECONFIG, "utf8"), charts, target.stackFile);
    namespace = (stack.config["platform:namespace"] as string | undefined) ?? "platform";
    services = resolvedServices(stack.config);
    await initStack(stack);
    // Volumes for the stack's StatefulSet claims (Loki, Jaeger): no provisioner runs here.
    for (const pv of staticVolumes(stackName)) {
      const created = await api.post("/api/v1/persistentvolumes", pv);
      if (created.status !== 201) throw new Error(`creating a PersistentVolume: ${created.status} ${created.body.slice(0, 300)}`);
    }
  });

  afterAll(() => {
    if (!exampleRoot) return;
    cli.cleanup();
    fs.rmSync(exampleRoot, { recursive: true, force: true });
    cli = rootCli;
  });

  it("previews", async () => {
    const result = await run(["preview", "--stack", stack.name]);
    recordTiming(stackName, "preview", result);
    expect(result.stdout).toMatch(/\d+ to create/);
  });

  it("deploys with `pulumi up`", async () => {
    const result = await run(["up", "--yes", "--skip-preview", "--stack", stack.name]);
    recordTiming(stackName, "up", result);
    expect(result.stdout).toMatch(/\d+ created/);
  });

  it("holds every object Pulumi recorded, in the namespaces it recorded", async () => {
    const state = JSON.parse((await run(["stack", "export", "--stack", stack.name])).stdout);
    const objects = kubernetesObjectsInState(state);
    expect(objects.length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const o of objects) if ((await api.get(o.apiPath)) === undefined) missing.push(`${o.urn} (${o.apiPath})`);
    expect(missing).toEqual([]);
  });

  it("enforces the restricted Pod Security Standard in the workload namespace (the API server refuses an unhardened pod)", async () => {
    const ns = await api.get(`/api/v1/namespaces/${namespace}`);
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    const refused = await api.post(`/api/v1/namespaces/${namespace}/pods?dryRun=All`, {
      apiVersion: "v1",
      kind: "Pod",
      // No security context at all: root allowed, escalation allowed, capabilities kept, no seccomp profile.
      // (`privileged: true` would not reach Pod Security: this API server runs without --allow-privileged.)
      metadata: { name: "unhardened-probe" },
      spec: { containers: [{ name: "c", image: "busybox:1.37.0" }] },
    });
    expect({ status: refused.status, body: refused.body.slice(0, 400) }).toEqual({ status: 403, body: expect.stringContaining("violates PodSecurity") });
  });

  it("runs every workload: Deployments available with their pods Running on the kwok node", async () => {
    const deployments = await api.list(kindPath("Deployment", namespace));
    expect(deployments.map((d) => d.metadata.labels["app.kubernetes.io/name"]).sort()).toEqual(services.map((s) => s.name).sort());
    for (const d of deployments) {
      expect({ name: d.metadata.name, available: d.status.availableReplicas ?? 0 }).toEqual({ name: d.metadata.name, available: d.status.replicas });
      expect(d.status.availableReplicas).toBeGreaterThanOrEqual(1);
    }
    // Pods of one-off Jobs (migrations, services[].jobs) have run to completion: the rollout waited for them.
    const all = await api.list(kindPath("Pod", namespace));
    const ofJobs = all.filter((p) => (p.metadata.ownerReferences ?? []).some((o: any) => o.kind === "Job"));
    const pods = all.filter((p) => !ofJobs.includes(p));
    expect(pods.length).toBeGreaterThanOrEqual(deployments.length);
    for (const p of pods) expect({ pod: p.metadata.name, phase: p.status.phase, node: p.spec.nodeName }).toEqual({ pod: p.metadata.name, phase: "Running", node: "kwok-node-0" });
    const oneOff = services.flatMap((svc) => ((svc.jobs ?? []) as Array<{ name: string; schedule?: string }>).filter((j) => !j.schedule).map((j) => `${svc.name}-${j.name}`));
    const jobs = await api.list(kindPath("Job", namespace));
    for (const name of oneOff) {
      const job = jobs.find((j) => j.metadata.name.startsWith(`${name}-`));
      expect({ job: name, succeeded: job?.status?.succeeded ?? 0 }).toEqual({ job: name, succeeded: 1 });
    }
    for (const p of ofJobs) expect({ pod: p.metadata.name, phase: p.status.phase }).toEqual({ pod: p.metadata.name, phase: "Succeeded" });
  });

  it("has Services for web/api/singleton ports, NetworkPolicies selecting every workload, ServiceMonitors and PrometheusRules", async () => {
    const svcNames = (await api.list(kindPath("Service", namespace))).map((s) => s.metadata.name);
    // web and api services are reachable through a Service; workers and singletons expose only their metrics port.
    for (const s of services.filter((x) => x.kind === "web" || x.kind === "api")) expect(svcNames).toContain(s.name);
    const policies = await api.list(kindPath("NetworkPolicy", namespace));
    for (const s of services) {
      const selecting = policies.filter((p) => p.spec.podSelector?.matchLabels?.["app.kubernetes.io/name"] === s.name || Object.keys(p.spec.podSelector ?? {}).length === 0);
      expect({ service: s.name, policies: selecting.length > 0 }).toEqual({ service: s.name, policies: true });
    }
    // Services scrape through a ServiceMonitor; workers and singletons (no Service) through a PodMonitor.
    const monitors = [...(await api.list(kindPath("ServiceMonitor", namespace))), ...(await api.list(kindPath("PodMonitor", namespace)))];
    expect(monitors.length).toBe(services.filter((s) => s.metrics).length);
    const rules = await api.list(kindPath("PrometheusRule", "monitoring"));
    expect(rules.length).toBeGreaterThan(0);
    const alertCount = rules.flatMap((r) => r.spec.groups.flatMap((g: any) => g.rules.filter((x: any) => x.alert))).length;
    expect(alertCount).toBeGreaterThan(10);
  });

  it("autoscales and protects prod workloads (HPA, PDB), keeps staging at fixed replicas", async () => {
    const hpas = await api.list(kindPath("HorizontalPodAutoscaler", namespace));
    const pdbs = await api.list(kindPath("PodDisruptionBudget", namespace));
    if (target.environment === "prod") {
      const scalable = services.filter((s) => s.kind !== "singleton").map((s) => s.name).sort();
      expect(hpas.map((h) => h.spec.scaleTargetRef.name.replace(/-[a-z0-9]+$/, "")).length).toBe(scalable.length);
      for (const h of hpas) expect([h.spec.minReplicas, h.spec.maxReplicas]).toEqual([3, 10]);
      expect(pdbs.length).toBe(scalable.length);
    } else {
      expect(hpas).toEqual([]);
      expect(pdbs).toEqual([]);
    }
  });

  it("a second `pulumi up` reports 0 changes (no perpetual diff)", async () => {
    const preview = await cli.run(["preview", "--stack", stack.name, "--expect-no-changes", "--diff"]);
    outputs.push(preview);
    if (preview.code !== 0) throw new Error(`second preview proposes changes:\n${tail(preview.stdout, 120)}\n${tail(preview.stderr, 20)}`);
    const result = await run(["up", "--yes", "--skip-preview", "--expect-no-changes", "--stack", stack.name]);
    recordTiming(stackName, "second up", result);
    expect(result.stdout).not.toMatch(/\d+ (created|updated|replaced|deleted)/);
  });

  it("passes the policy pack with this stack's policy config", async () => {
    const config = path.join(REPO_ROOT, "policies", "config", `${target.environment}.json`);
    const args = ["preview", "--stack", stack.name, "--policy-pack", path.join(REPO_ROOT, "policies")];
    if (fs.existsSync(config)) args.push("--policy-pack-config", config);
    const result = await run(args);
    recordTiming(stackName, "preview with policy pack", result);
    expect(result.stdout).toMatch(/Policies:[\s\S]*platform-guardrails/);
    expect(result.stdout).not.toMatch(/mandatory/i);
  });

  it("keeps every secret out of the state, the stack config file and the CLI output", async () => {
    const state = cli.backendText();
    const configFile = fs.readFileSync(path.join(cli.projectDir, `Pulumi.${stack.name}.yaml`), "utf8");
    const logs = outputs.map((o) => o.stdout + o.stderr).join("\n");
    const token = /token: (\S+)/.exec(fs.readFileSync(KUBECONFIG, "utf8"))![1];
    const leaks = [...Object.keys(stack.secrets).map((k) => secretMarker(k.split(":")[1])), token].filter(
      (v) => state.includes(v) || configFile.includes(v) || logs.includes(v),
    );
    expect(leaks).toEqual([]);
    expect(state).toContain("ciphertext");
  });

  it("`pulumi destroy` leaves no project object behind", async () => {
    const result = await run(["destroy", "--yes", "--skip-preview", "--stack", stack.name]);
    recordTiming(stackName, "destroy", result);
    expect(await api.get(`/api/v1/namespaces/${namespace}`)).toBeUndefined();
    expect(await api.get("/api/v1/namespaces/monitoring")).toBeUndefined();
    const project = (stack.config["platform:project"] as string | undefined) ?? "platform";
    const left = (await api.list("/apis/apps/v1/deployments")).filter((d) => d.metadata.labels?.["app.kubernetes.io/part-of"] === project);
    expect(left).toEqual([]);
    await run(["stack", "rm", "--yes", stack.name]);
  });
});

describe("the policy pack blocks a bad change", () => {
  it("fails the preview of a privileged container with an unpinned image, naming the policies", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-bad-change-"));
    try {
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), stringify({ name: "bad-change", runtime: { name: "nodejs", options: { typescript: false } }, main: "index.js" }));
      fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
      fs.writeFileSync(path.join(dir, "index.js"), BAD_PROGRAM);
      const bad = new PulumiCli(dir);
      try {
        await bad.ok(["stack", "init", "bad", "--secrets-provider", "passphrase"]);
        await bad.ok(["config", "set", "--secret", "kubeconfig", "--stack", "bad"], fs.readFileSync(KUBECONFIG, "utf8"));
        const result = await bad.run(["preview", "--stack", "bad", "--policy-pack", path.join(REPO_ROOT, "policies")]);
        const text = result.stdout + result.stderr;
        expect(result.code).not.toBe(0);
        expect(text).toMatch(/mandatory/);
        expect(text).toMatch(/privileged/);
        expect(text).toMatch(/"nginx:latest" is not pinned|not pinned/);
      } finally {
        bad.cleanup();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A change a pull request might carry: a privileged container from a moving tag. Preview only; never applied. */
const BAD_PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const k8s = require("@pulumi/kubernetes");
const provider = new k8s.Provider("local", { kubeconfig: new pulumi.Config().requireSecret("kubeconfig") });
new k8s.apps.v1.Deployment("debug-shell", {
  metadata: { namespace: "default" },
  spec: {
    selector: { matchLabels: { app: "debug-shell" } },
    template: {
      metadata: { labels: { app: "debug-shell" } },
      spec: { containers: [{ name: "shell", image: "nginx:latest", securityContext: { privileged: true } }] },
    },
  },
}, { provider });
`;
