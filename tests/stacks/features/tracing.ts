import { parse } from "yaml";
import { withTraceEnv } from "../../../stacks/sections/tracing";
import { ctxFor } from "../../components/alerting-stack/fixtures";
import { unwrapSecrets } from "../../helpers/mocks";
import { stackError } from "../../helpers/stack";
import { DEV_SECRETS } from "../fixtures";
import type { FeatureStacks } from "./stacks";

/** platform:tracing end to end: config -> plan -> TracePipeline, services' env, Grafana datasources. */
export function describeTracing(stacks: FeatureStacks): void {
  describe("tracing and logging on Kubernetes (staging stack)", () => {
    test("services get the OTLP env (their own env wins) and egress to the collector; Grafana gets Jaeger and Loki", () => {
      const { recorder } = stacks.stagingTraced;
      const api = recorder.one("kubernetes:apps/v1:Deployment", "api-deployment");
      const env = Object.fromEntries(api.inputs.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
      expect(env).toMatchObject({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector.tracing.svc:4318", OTEL_SERVICE_NAME: "api", OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" });
      const egress = recorder.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "tracing-policy-otlp-egress").inputs;
      expect(egress.spec.podSelector.matchExpressions[0].values).toContain("api");
      const collector = parse(recorder.one("kubernetes:core/v1:ConfigMap", "tracing-collector-config").inputs.data["config.yaml"]);
      expect(collector.processors.tail_sampling.policies[2].probabilistic.sampling_percentage).toBe(50);
      const rules = recorder.byType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").map((r) => JSON.stringify(r.inputs.spec)).join("\n");
      expect(rules).toContain("TraceExportFailing");
      expect(rules).toContain("LogShipperDroppingLogs");
      recorder.one("kubernetes:monitoring.coreos.com/v1:PodMonitor", "tracing-pod-monitor");
      const values = unwrapSecrets(recorder.one("kubernetes:helm.sh/v3:Release", "alerting-chart").inputs.values);
      expect(values.grafana.additionalDataSources.map((d: any) => [d.uid, d.url])).toEqual([
        ["loki", "http://loki.logging.svc:3100"],
        ["jaeger", "http://jaeger.tracing.svc:16686"],
      ]);
    });
  });

  describe("tracing on Docker (dev stack)", () => {
    test("collector and Jaeger containers; every service's env points at the collector", () => {
      const { recorder } = stacks.dev;
      recorder.one("docker:index/container:Container", "tracing-jaeger");
      const collector = parse(recorder.one("docker:index/container:Container", "tracing-collector").inputs.uploads[0].content);
      expect(collector.processors.tail_sampling.policies[2].probabilistic.sampling_percentage).toBe(20);
      const services = recorder.byType("platform:app-service:AppService").map((s) => s.name);
      expect(services.length).toBeGreaterThan(0);
      for (const name of services) {
        const container = recorder.one("docker:index/container:Container", `${name}-container`);
        const envs = (unwrapSecrets(container.inputs.envs) as string[]).filter((e) => e.startsWith("OTEL_"));
        expect(envs).toContain("OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4318");
        expect(envs).toContain(`OTEL_SERVICE_NAME=${name}`);
      }
    });
  });

  describe("bad tracing config fails before anything is registered, naming the key path", () => {
    test("plan problems", async () => {
      const message = await stackError("dev", { tracing: { enabled: true, sampling: { mode: "probabilistic", percent: 150, latencyThresholdMs: 200 }, retentionHours: 0, replicas: 2 } }, { secrets: DEV_SECRETS });
      expect(message).toContain("platform:tracing.sampling.percent: must be a percentage greater than 0 and at most 100 (got 150)");
      expect(message).toContain("platform:tracing.sampling.latencyThresholdMs: applies to tail sampling only");
      expect(message).toContain("platform:tracing.retentionHours: must be a whole number of hours");
      expect(message).toContain("platform:tracing.replicas: applies to the kubernetes target only");
    });

    test("schema problems", async () => {
      const message = await stackError("dev", { tracing: { enabled: "yes", sampling: { mode: "head" }, backend: "tempo" } }, { secrets: DEV_SECRETS });
      expect(message).toContain("platform:tracing.enabled");
      expect(message).toContain("platform:tracing.sampling.mode: must be one of tail, probabilistic");
      expect(message).toContain("platform:tracing.backend");
    });
  });

  describe("withTraceEnv", () => {
    const services = [{ name: "api", args: { env: { OTEL_SERVICE_NAME: "payments-api", LOG_FORMAT: "json" } }, secretEnvKeys: {}, connections: [] }] as any;
    const sctx = { platform: ctxFor("prod", "kubernetes") } as any;

    test("adds the SDK variables; a variable the service sets itself wins", () => {
      const [svc] = withTraceEnv(services, { enabled: true, args: { namespace: "traces" } }, sctx);
      expect(svc.args.env).toMatchObject({ OTEL_SERVICE_NAME: "payments-api", LOG_FORMAT: "json", OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector.traces.svc:4318" });
    });

    test("tracing off: the services are untouched", () => {
      expect(withTraceEnv(services, { enabled: false, args: {} }, sctx)).toBe(services);
    });
  });
}
