import * as fs from "fs";
import * as path from "path";
import { alertRules } from "../../components/lib/alerts";
import { LOG_PIPELINE_ALERTS, logPipelineMonitoring, TRACE_PIPELINE_ALERTS, tracePipelineMonitoring } from "../../components/lib/pipeline-monitoring";

const REPO = path.resolve(__dirname, "../..");

test("every pipeline alert is listed and has its runbook", () => {
  expect(alertRules(logPipelineMonitoring("kubernetes").ruleGroups).map((r) => r.alert)).toEqual([...LOG_PIPELINE_ALERTS]);
  expect(alertRules(tracePipelineMonitoring("kubernetes").ruleGroups).map((r) => r.alert)).toEqual([...TRACE_PIPELINE_ALERTS]);
  for (const alert of [...LOG_PIPELINE_ALERTS, ...TRACE_PIPELINE_ALERTS]) expect(fs.existsSync(path.join(REPO, "docs/runbooks", `${alert}.md`))).toBe(true);
});

test("Docker gets static scrape targets, Kubernetes none (PodMonitors instead)", () => {
  expect(logPipelineMonitoring("docker").scrapeTargets).toEqual([{ job: "fluent-bit", targets: ["fluent-bit:2020"], metricsPath: "/api/v2/metrics/prometheus" }]);
  expect(tracePipelineMonitoring("docker").scrapeTargets).toEqual([{ job: "otel-collector", targets: ["otel-collector:8888"] }]);
  expect(logPipelineMonitoring("kubernetes").scrapeTargets).toEqual([]);
  expect(tracePipelineMonitoring("kubernetes").scrapeTargets).toEqual([]);
});
