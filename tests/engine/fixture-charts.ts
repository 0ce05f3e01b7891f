import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { ENVOY_GATEWAY_MODULE, GATEWAY_API_MODULE } from "../../components/foundation/edge-values";
import { CHART_KEYS, DEFAULT_CHART_SOURCES, type ChartKey } from "../../components/lib/charts";

/**
 * Small local stand-ins for the third-party charts, written at test time: the engine tier cannot reach chart
 * repositories, and what it checks is *our* objects, not the vendors' controllers. Each fixture carries
 *   - the CRDs our custom resources need, read from the upstream project's Go module in the module cache
 *     (`go mod download`), never committed; and
 *   - the few objects our program reads back from the release, if any.
 *
 * Every chart key the library knows must have a fixture here (a test checks it), so adding a chart to
 * components/lib/charts.ts without teaching the engine tier about it fails loudly.
 */

/** CRD files of one Go module: `<module>@<version>/<dir>/<files matching pattern>`. */
interface CrdSource {
  module: string;
  version: string;
  dir: string;
  pattern: RegExp;
}

export interface FixtureSpec {
  crds: CrdSource[];
  /** Objects installed into the release namespace (`{{ .Release.Namespace }}` is filled in by Helm). */
  templates?: Array<Record<string, unknown>>;
}

const PROMETHEUS_OPERATOR: CrdSource = {
  // v0.88.0 is the nearest release to the operator kube-prometheus-stack 79.x ships that the module proxy serves.
  module: "github.com/prometheus-operator/prometheus-operator",
  version: "v0.88.0",
  dir: "example/prometheus-operator-crd",
  pattern: /^monitoring\.coreos\.com_(servicemonitors|podmonitors|prometheusrules|probes|scrapeconfigs)\.yaml$/,
};

const CERT_MANAGER: CrdSource = {
  module: "github.com/cert-manager/cert-manager",
  version: DEFAULT_CHART_SOURCES["cert-manager"].version,
  dir: "deploy/crds",
  pattern: /^(cert-manager\.io|acme\.cert-manager\.io)_.*\.yaml$/,
};

/** The Gateway API release the pinned Envoy Gateway chart installs. */
const GATEWAY_API: CrdSource = {
  module: GATEWAY_API_MODULE.path,
  version: GATEWAY_API_MODULE.version,
  dir: "config/crd/standard",
  pattern: /^gateway\.networking\.k8s\.io_(gatewayclasses|gateways|httproutes|grpcroutes|referencegrants|backendtlspolicies)\.yaml$/,
};

/** Envoy Gateway's own policy CRDs (EnvoyProxy, ClientTrafficPolicy, BackendTrafficPolicy, ...), from its chart. */
const ENVOY_GATEWAY: CrdSource = {
  module: ENVOY_GATEWAY_MODULE.path,
  version: ENVOY_GATEWAY_MODULE.version,
  dir: "charts/gateway-helm/charts/crds/crds/generated",
  pattern: /^gateway\.envoyproxy\.io_.*\.yaml$/,
};

export const FIXTURES: Record<ChartKey, FixtureSpec> = {
  "kube-prometheus-stack": { crds: [PROMETHEUS_OPERATOR] },
  "cert-manager": { crds: [CERT_MANAGER] },
  // The exporter has no CRDs; the Probe that targets it is a kube-prometheus-stack (operator) CRD.
  "prometheus-blackbox-exporter": { crds: [] },
  // Like the real chart, the Envoy Gateway fixture brings the Gateway API CRDs. The edge reads the load balancer
  // address from the Gateway's status, which stays empty without a controller (the output is then "").
  "envoy-gateway": { crds: [GATEWAY_API, ENVOY_GATEWAY] },
  // The EKS controllers run only with cloud aws (the engine tier deploys with cloud none), and the program creates
  // none of their custom resources (the load balancer controller's TargetGroupBindings are its own): no CRDs.
  "aws-load-balancer-controller": { crds: [] },
  "cluster-autoscaler": { crds: [] },
};

function goEnv(): NodeJS.ProcessEnv {
  const goBin = fs.existsSync("/usr/local/go/bin") ? "/usr/local/go/bin:" : "";
  return { ...process.env, PATH: `${goBin}${process.env.PATH}`, GOFLAGS: "-mod=mod" };
}

/** Directory of a module in the Go module cache, downloading it through the module proxy if needed. */
export function goModuleDir(module: string, version: string): string {
  const out = execFileSync("go", ["mod", "download", "-json", `${module}@${version}`], {
    cwd: fs.mkdtempSync(path.join(require("os").tmpdir(), "gomod-")),
    env: goEnv(),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${module}@${version} failed: ${info.Error ?? out}`);
  return info.Dir;
}

/** CRD documents of one source, as YAML text. */
function crdFiles(source: CrdSource): Array<{ name: string; text: string }> {
  const dir = path.join(goModuleDir(source.module, source.version), source.dir);
  const files = fs.readdirSync(dir).filter((f) => source.pattern.test(f)).sort();
  if (files.length === 0) throw new Error(`no CRDs matching ${source.pattern} in ${dir}`);
  return files.map((f) => ({ name: f, text: fs.readFileSync(path.join(dir, f), "utf8") }));
}

/**
 * Writes one fixture chart per chart key under `root` and returns the `platform:charts` overrides that point
 * the program at them.
 */
export function writeFixtureCharts(root: string): Record<string, { path: string }> {
  const overrides: Record<string, { path: string }> = {};
  for (const key of CHART_KEYS) {
    const spec = FIXTURES[key];
    const dir = path.join(root, key);
    fs.mkdirSync(path.join(dir, "crds"), { recursive: true });
    fs.mkdirSync(path.join(dir, "templates"), { recursive: true });
    const version = (DEFAULT_CHART_SOURCES[key].version ?? "0.0.0").replace(/^v/, "");
    fs.writeFileSync(
      path.join(dir, "Chart.yaml"),
      stringify({ apiVersion: "v2", name: key, version, description: `Engine-tier fixture standing in for ${key} (CRDs and read-back objects only)` }),
    );
    for (const source of spec.crds) {
      for (const file of crdFiles(source)) fs.writeFileSync(path.join(dir, "crds", file.name), file.text);
    }
    (spec.templates ?? []).forEach((doc, i) => {
      // The quoted `{{ .Release.Namespace }}` is still a Helm template expression.
      fs.writeFileSync(path.join(dir, "templates", `object-${i}.yaml`), stringify(doc));
    });
    overrides[key] = { path: dir };
  }
  return overrides;
}
