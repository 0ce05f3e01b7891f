import { parse } from "yaml";
import { serviceTraceEnv, traceDatasource, TracePipeline, TRACE_PIPELINE_TYPE, validateTracePipelineArgs } from "../../../components/trace-pipeline";
import { ValidationError } from "../../../components/lib/validation";
import { installMocks, settle, type Recorder } from "../../helpers/mocks";
import { ctxFor } from "../alerting-stack/fixtures";

let rec: Recorder;
beforeAll(() => {
  rec = installMocks();
});

describe("kubernetes", () => {
  let objects: Record<string, any>;
  let collector: any;
  beforeAll(async () => {
    rec.clear();
    new TracePipeline("tracing", { sampling: { mode: "tail", percent: 10 }, retentionHours: 168, services: ["api", "worker"] }, ctxFor("prod", "kubernetes"));
    await settle();
    rec.assertUniqueUrns();
    objects = Object.fromEntries(rec.resources.map((r) => [r.name, r]));
    collector = parse(objects["tracing-collector-config"].inputs.data["config.yaml"]);
  });

  test("children under the component; restricted namespace; pinned, bounded, non-root", () => {
    const component = rec.one(TRACE_PIPELINE_TYPE, "tracing");
    for (const child of ["tracing-namespace", "tracing-collector", "tracing-collector-service", "tracing-jaeger", "tracing-jaeger-service"]) expect(objects[child].parent).toBe(component.urn);
    expect(objects["tracing-namespace"].inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    for (const workload of ["tracing-collector", "tracing-jaeger"]) {
      const pod = objects[workload].inputs.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.containers[0].image).toMatch(/:\d+\.\d+\.\d+$/);
      expect(pod.containers[0].resources.limits).toBeDefined();
      expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    }
    expect(objects["tracing-collector"].inputs.spec.replicas).toBe(1);
  });

  test("collector: OTLP in, memory limiter, tail sampling (errors, slow, 10 %), batch, OTLP to Jaeger", () => {
    expect(collector.service.pipelines.traces).toEqual({ receivers: ["otlp"], processors: ["memory_limiter", "tail_sampling", "batch"], exporters: ["otlp_grpc/jaeger"] });
    expect(collector.processors.tail_sampling.policies.map((p: any) => p.type)).toEqual(["status_code", "latency", "probabilistic"]);
    expect(collector.processors.tail_sampling.policies[2].probabilistic.sampling_percentage).toBe(10);
    expect(collector.exporters["otlp_grpc/jaeger"].endpoint).toBe("jaeger.tracing.svc:4317");
    const jaeger = parse(objects["tracing-jaeger-config"].inputs.data["config.yaml"]);
    expect(jaeger.extensions.jaeger_storage.backends.main.badger.ttl.spans).toBe("168h");
  });

  test("network: deny by default; services reach only the collector; the collector only Jaeger; Jaeger only from the collector and Grafana", () => {
    const p = Object.fromEntries(rec.byType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => [r.name, r.inputs]));
    expect(p["tracing-policy-default-deny"].spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const egress = p["tracing-policy-otlp-egress"];
    expect(egress.metadata.namespace).toBe("platform");
    expect(egress.spec.podSelector.matchExpressions[0].values).toEqual(["api", "worker"]);
    expect(egress.spec.egress[0].ports.map((x: any) => x.port)).toEqual([4317, 4318]);
    expect(p["tracing-policy-collector"].spec.ingress[0].from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"]).toBe("platform");
    expect(p["tracing-policy-collector"].spec.egress[0].ports).toEqual([{ protocol: "TCP", port: 4317 }]);
    expect(p["tracing-policy-jaeger"].spec.egress).toEqual([]);
    expect(p["tracing-policy-jaeger"].spec.ingress[1].ports).toEqual([{ protocol: "TCP", port: 16686 }]);
  });

  test("services' env and the Grafana datasource point at the in-cluster hosts", () => {
    expect(serviceTraceEnv("api", ctxFor("prod", "kubernetes"))).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector.tracing.svc:4318",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_SERVICE_NAME: "api",
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=prod,service.namespace=platform",
      OTEL_TRACES_EXPORTER: "otlp",
    });
    expect(traceDatasource(ctxFor("prod", "kubernetes"))).toMatchObject({ type: "jaeger", uid: "jaeger", url: "http://jaeger.tracing.svc:16686" });
  });
});

describe("docker", () => {
  beforeEach(() => rec.clear());
  test("collector on both tier networks, Jaeger on the backend only; probabilistic sampling", async () => {
    new TracePipeline("tracing", { sampling: { mode: "probabilistic", percent: 25 } }, ctxFor("dev", "docker"));
    await settle();
    const col = rec.one("docker:index/container:Container", "tracing-collector").inputs;
    expect(col.networksAdvanced.map((n: any) => n.name)).toEqual(["net-frontend", "net-backend"]);
    expect(col.user).toBe("10001:10001");
    expect(col.capabilities.drops).toEqual(["ALL"]);
    const conf = parse(col.uploads[0].content);
    expect(conf.processors.probabilistic_sampler).toEqual({ sampling_percentage: 25 });
    expect(conf.exporters["otlp_grpc/jaeger"].endpoint).toBe("jaeger:4317");
    const jaeger = rec.one("docker:index/container:Container", "tracing-jaeger").inputs;
    expect(jaeger.networksAdvanced).toEqual([{ name: "net-backend", aliases: ["jaeger"] }]);
    expect(jaeger.ports).toBeUndefined();
    expect(serviceTraceEnv("web", ctxFor("dev", "docker")).OTEL_EXPORTER_OTLP_ENDPOINT).toBe("http://otel-collector:4318");
  });
});

describe("validateTracePipelineArgs", () => {
  beforeEach(() => rec.clear());
  test("defaults", () => {
    expect(validateTracePipelineArgs("t", {}, ctxFor("dev", "kubernetes"))).toMatchObject({ sampling: { mode: "tail", percent: 100, latencyThresholdMs: 500 }, replicas: 1, retentionHours: 72 });
  });

  test("every problem at once with key paths, before anything is registered", async () => {
    let error: unknown;
    try {
      new TracePipeline(
        "tracing",
        { sampling: { mode: "head" as never, percent: 0, latencyThresholdMs: -5 }, retentionHours: 100000, replicas: 0, storageSize: "big", namespace: "platform", services: ["Bad_Name"], images: { jaeger: "jaegertracing/jaeger" } },
        ctxFor("prod", "kubernetes"),
      );
    } catch (e) {
      error = e;
    }
    await settle();
    expect(rec.resources).toEqual([]);
    expect(error).toBeInstanceOf(ValidationError);
    const m = (error as Error).message;
    for (const expected of [
      'sampling.mode: must be one of tail, probabilistic (got "head")',
      "sampling.percent: must be a percentage greater than 0 and at most 100 (got 0)",
      "sampling.latencyThresholdMs: must be a whole number of milliseconds",
      "retentionHours: must be a whole number of hours from 1 to 2160 (got 100000)",
      "replicas: must be a whole number from 1 to 10 (got 0)",
      'storageSize: must be a volume size like 10Gi (got "big")',
      "namespace: must differ from the workload namespace",
      'services[0]: must be a service name (DNS label) (got "Bad_Name")',
      "images.jaeger: must be pinned",
    ]) expect(m).toContain(expected);
  });

  test("tail sampling needs one collector; probabilistic scales out and has no latency threshold", () => {
    const ctx = ctxFor("prod", "kubernetes");
    expect(() => validateTracePipelineArgs("t", { replicas: 3 }, ctx)).toThrow("replicas: must be 1 with tail sampling");
    expect(validateTracePipelineArgs("t", { replicas: 3, sampling: { mode: "probabilistic" } }, ctx).replicas).toBe(3);
    expect(() => validateTracePipelineArgs("t", { sampling: { mode: "probabilistic", latencyThresholdMs: 300 } }, ctx)).toThrow("sampling.latencyThresholdMs: applies to tail sampling only");
  });
});
