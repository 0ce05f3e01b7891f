import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { TracePipeline } from "../../../components/trace-pipeline";
import { collectorConfig } from "../../../components/trace-pipeline/collector";
import { recordedK8sObjects, validateK8sObjects } from "../../helpers/k8s-schema";
import { installMocks, settle } from "../../helpers/mocks";
import { REPO_ROOT } from "../../helpers/stack";
import { promtoolTestRules, run, tempDir } from "../../helpers/tools";
import { toPrometheusRuleFile } from "../../../components/lib/alerts";
import { tracePipelineRules } from "../../../components/lib/pipeline-monitoring";
import { ctxFor } from "../alerting-stack/fixtures";

/**
 * Every collector config the trace pipeline renders is checked by a real OpenTelemetry Collector built at the
 * pinned image's release with the same components (tools/otelcol; .ci/run builds it, the script reuses the
 * cached build): `otelcol validate` resolves every component, key and pipeline reference.
 */
const OTELCOL = run("bash", [path.join(REPO_ROOT, "scripts/build-otelcol.sh")]).trim();

function validate(config: unknown): { ok: boolean; output: string } {
  const { dir, cleanup } = tempDir("otelcol");
  try {
    const file = path.join(dir, "config.yaml");
    fs.writeFileSync(file, typeof config === "string" ? config : stringify(config));
    try {
      return { ok: true, output: run(OTELCOL, ["validate", `--config=${file}`]) };
    } catch (e) {
      return { ok: false, output: (e as Error).message };
    }
  } finally {
    cleanup();
  }
}

describe("otelcol validate accepts what the component renders", () => {
  test.each([
    ["kubernetes, tail sampling", "kubernetes", { sampling: { mode: "tail" as const, percent: 10, latencyThresholdMs: 300 } }],
    ["kubernetes, probabilistic, 3 replicas", "kubernetes", { sampling: { mode: "probabilistic" as const, percent: 5 }, replicas: 3 }],
    ["docker, defaults", "docker", {}],
  ] as const)("%s", async (_label, target, args) => {
    const rec = installMocks();
    new TracePipeline("tracing", args, ctxFor("prod", target));
    await settle();
    const config =
      target === "kubernetes"
        ? rec.one("kubernetes:core/v1:ConfigMap", "tracing-collector-config").inputs.data["config.yaml"]
        : rec.one("docker:index/container:Container", "tracing-collector").inputs.uploads[0].content;
    const result = validate(config);
    expect(result.output).not.toContain("Error");
    expect(result.ok).toBe(true);
    if (target === "kubernetes") expect(() => validateK8sObjects(recordedK8sObjects(rec))).not.toThrow();
  });
});

describe("the check catches what it should (so a pass means something)", () => {
  const good = collectorConfig({ sampling: { mode: "tail", percent: 10, latencyThresholdMs: 500 }, jaegerEndpoint: "jaeger:4317" }) as any;

  test("an exporter name this release does not have", () => {
    const bad = structuredClone(good);
    bad.exporters = { "jaeger/legacy": bad.exporters["otlp_grpc/jaeger"] };
    bad.service.pipelines.traces.exporters = ["jaeger/legacy"];
    const result = validate(bad);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('unknown type: "jaeger"');
  });

  test("a tail-sampling policy with a mistyped key", () => {
    const bad = structuredClone(good);
    bad.processors.tail_sampling.policies[1].latency = { threshold: 500 };
    const result = validate(bad);
    expect(result.ok).toBe(false);
    expect(result.output).toContain("threshold");
  });

  test("a pipeline naming a processor that is not configured", () => {
    const bad = structuredClone(good);
    bad.service.pipelines.traces.processors = ["memory_limiter", "probabilistic_sampler", "batch"];
    const result = validate(bad);
    expect(result.ok).toBe(false);
    expect(result.output).toContain("probabilistic_sampler");
  });
});

describe("TraceExportFailing, fed with the collector's own series", () => {
  const file = toPrometheusRuleFile(tracePipelineRules(), "https://example.test/runbooks/");
  const labels = 'namespace="tracing", pod="tracing-collector-5d8f9-abcde", instance="10.0.2.9:8888", exporter="otlp_grpc/jaeger"';

  test("fires while spans fail to send, silent while they are delivered", () => {
    promtoolTestRules(file, [
      {
        interval: "1m",
        input_series: [
          { series: `otelcol_exporter_sent_spans_total{${labels}}`, values: "0+1000x20 20000x30 20000+1000x20" },
          // Jaeger down from minute 20 to 50: every span fails.
          { series: `otelcol_exporter_send_failed_spans_total{${labels}}`, values: "0x20 0+1000x30 30000x20" },
        ],
        alert_rule_test: [
          { eval_time: "19m", alertname: "TraceExportFailing", exp_alerts: [] },
          { eval_time: "28m", alertname: "TraceExportFailing", exp_alerts: [] },
          {
            eval_time: "40m",
            alertname: "TraceExportFailing",
            exp_alerts: [{ exp_labels: { severity: "warning", priority: "P2", alert_family: "TraceExportFailing", namespace: "tracing", pod: "tracing-collector-5d8f9-abcde", instance: "10.0.2.9:8888", exporter: "otlp_grpc/jaeger" },
              exp_annotations: {
                summary: "The trace collector cannot deliver spans to Jaeger",
                description: "Exporter otlp_grpc/jaeger on 10.0.2.9:8888 fails to send 16.67 spans/s: traces are being lost.",
                runbook_url: "https://example.test/runbooks/TraceExportFailing.md",
              },
            }],
          },
          { eval_time: "65m", alertname: "TraceExportFailing", exp_alerts: [] },
        ],
      },
    ]);
  });
});
