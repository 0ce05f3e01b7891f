import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { chartOverrideProblems, chartSource, DEFAULT_CHART_SOURCES, helmChartArgs } from "../../../components/lib/charts";

describe("chart sources", () => {
  it("defaults to each chart's pinned upstream repository", () => {
    expect(helmChartArgs("kube-prometheus-stack")).toEqual({
      chart: "kube-prometheus-stack",
      version: DEFAULT_CHART_SOURCES["kube-prometheus-stack"].version,
      repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
    });
  });

  it("points a chart at a mirror and keeps the pinned chart name when only repo/version are given", () => {
    const args = helmChartArgs("cert-manager", { "cert-manager": { repo: "https://mirror.example.com/charts", version: "v1.19.2" } });
    expect(args).toEqual({ chart: "cert-manager", version: "v1.19.2", repositoryOpts: { repo: "https://mirror.example.com/charts" } });
  });

  it("takes an OCI reference without a repository", () => {
    const args = helmChartArgs("cert-manager", { "cert-manager": { chart: "oci://registry.example.com/charts/cert-manager", version: "v1.19.1" } });
    expect(args).toEqual({ chart: "oci://registry.example.com/charts/cert-manager", version: "v1.19.1" });
  });

  it("resolves a local chart directory against the project directory", () => {
    expect(helmChartArgs("kube-prometheus-stack", { "kube-prometheus-stack": { path: "charts/kps" } }, "/srv/project")).toEqual({
      chart: "/srv/project/charts/kps",
    });
    expect(chartSource("kube-prometheus-stack", { "kube-prometheus-stack": { path: "/abs/kps" } })).toEqual({ path: "/abs/kps" });
  });

  describe("plan-time problems", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "charts-"));
    fs.mkdirSync(path.join(dir, "good"));
    fs.writeFileSync(path.join(dir, "good", "Chart.yaml"), "apiVersion: v2\nname: good\nversion: 0.1.0\n");
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("accepts valid overrides", () => {
      expect(chartOverrideProblems({
        "kube-prometheus-stack": { path: "good" },
        "cert-manager": { repo: "https://mirror.example.com/charts", version: "v1.19.1" },
        "envoy-gateway": { chart: "oci://registry.example.com/gateway-helm", version: "v1.9.1" },
      }, dir)).toEqual([]);
    });

    it("names the unknown chart key, a missing Chart.yaml, a bad repo URL, mixed path/repo and an unpinned OCI chart", () => {
      const problems = chartOverrideProblems({
        "kube-prom": { version: "1" },
        "kube-prometheus-stack": { path: "missing", version: "1.0.0" },
        "cert-manager": { repo: "charts.jetstack.io" },
        "envoy-gateway": { chart: "oci://registry.example.com/gateway-helm" },
      }, dir);
      expect(problems.map((p) => [p.path.join("."), p.allowed.split(" (")[0]])).toEqual([
        ["kube-prom", expect.stringContaining("must be a chart the library installs")],
        ["kube-prometheus-stack.path", "a local path replaces repo, chart and version; set either path or those"],
        ["kube-prometheus-stack.path", "must be a chart directory containing Chart.yaml"],
        ["cert-manager.repo", "must be an http(s) Helm repository URL; use chart: oci://... for OCI registries"],
        ["envoy-gateway.version", "a remote chart must be pinned to a version"],
      ]);
    });
  });
});
