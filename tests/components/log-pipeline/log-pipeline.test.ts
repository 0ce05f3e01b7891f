import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { LogPipeline, LOG_PIPELINE_TYPE, logDatasource, validateLogPipelineArgs, type LogPipelineArgs } from "../../../components/log-pipeline";
import { ValidationError } from "../../../components/lib/validation";
import { installMocks, isSecretValue, plaintextStrings, settle, unwrapSecrets, type Recorder } from "../../helpers/mocks";
import { ctxFor } from "../alerting-stack/fixtures";

const PASSWORD = "es-shipper-password-value";
const ES: LogPipelineArgs = {
  sink: { type: "elasticsearch", url: "https://es.example.com:9200", user: "shipper", indexPrefix: "potato-chat" },
  masking: { keys: ["id_card"], patterns: ["sk_live_%w+"] },
};

let rec: Recorder;
beforeAll(() => {
  rec = installMocks();
});

function leaks(r: Recorder): string[] {
  return r.resources.flatMap((res) => plaintextStrings(res.inputs).filter((s) => s.value.includes(PASSWORD)).map((s) => `${res.type} ${res.name} ${s.path}`));
}

describe("kubernetes, default sink (installed Loki)", () => {
  let fb: any;
  let objects: Record<string, any>;
  beforeAll(async () => {
    rec.clear();
    new LogPipeline("logging", { retentionDays: 30 }, ctxFor("prod", "kubernetes"));
    await settle();
    rec.assertUniqueUrns();
    objects = Object.fromEntries(rec.resources.map((r) => [r.name, r]));
    fb = parse(objects["logging-config"].inputs.data["fluent-bit.yaml"]);
  });

  test("registers every child under the component", () => {
    const component = rec.one(LOG_PIPELINE_TYPE, "logging");
    for (const child of ["logging-namespace", "logging-daemon-set", "logging-config", "logging-loki", "logging-loki-service", "logging-cluster-role"]) {
      expect(objects[child].parent).toBe(component.urn);
    }
    expect(objects["logging-namespace"].inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
  });

  test("Fluent Bit: pinned image, bounded, no capabilities, host logs read-only, only the position database writable", () => {
    const pod = objects["logging-daemon-set"].inputs.spec.template.spec;
    const c = pod.containers[0];
    expect(c.image).toMatch(/^cr\.fluentbit\.io\/fluent\/fluent-bit:\d+\.\d+\.\d+$/);
    expect(c.resources.limits).toEqual({ cpu: "500m", memory: "256Mi" });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    const mounts = Object.fromEntries(c.volumeMounts.map((m: any) => [m.name, m]));
    expect(mounts.varlog).toMatchObject({ mountPath: "/var/log", readOnly: true });
    expect(mounts.config.readOnly).toBe(true);
    expect(mounts.state.readOnly).toBeUndefined();
    expect(pod.volumes.find((v: any) => v.name === "state").hostPath.path).toBe("/var/lib/fluent-bit-logging");
    expect(objects["logging-cluster-role"].inputs.rules).toEqual([{ apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["get", "list", "watch"] }]);
  });

  test("config: tail, kubernetes metadata with JSON merge, masking, then Loki", () => {
    const p = fb.pipeline;
    expect(p.inputs[0]).toMatchObject({ name: "tail", path: "/var/log/containers/*.log", exclude_path: "/var/log/containers/*_logging_*.log" });
    expect(p.filters.map((f: any) => f.name)).toEqual(["kubernetes", "lua", "modify"]);
    expect(p.filters[0]).toMatchObject({ merge_log: "on", keep_log: "off" });
    expect(p.filters[1]).toMatchObject({ script: "/fluent-bit/etc/mask.lua", call: "mask_secrets" });
    expect(p.outputs[0]).toMatchObject({ name: "loki", host: "loki.logging.svc", port: 3100, tls: "off", line_format: "json" });
    expect(p.outputs[0].labels).toContain("namespace=$kubernetes['namespace_name']");
    expect(objects["logging-config"].inputs.data["mask.lua"]).toContain("function mask_secrets");
  });

  test("Prometheus scrapes Fluent Bit through a PodMonitor it selects", () => {
    const pm = objects["logging-pod-monitor"].inputs;
    expect(pm.kind).toBe("PodMonitor");
    expect(pm.metadata.labels["platform.example/monitoring"]).toBe("true");
    expect(pm.spec.podMetricsEndpoints).toEqual([{ port: "http", path: "/api/v2/metrics/prometheus", interval: "30s" }]);
  });

  test("Loki: retention from the args, non-root, bounded, on a volume", () => {
    const loki = parse(objects["logging-loki-config"].inputs.data["loki.yaml"]);
    expect(loki.limits_config.retention_period).toBe("720h");
    expect(loki.compactor.retention_enabled).toBe(true);
    const pod = objects["logging-loki"].inputs.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.containers[0].resources.limits.memory).toBe("1Gi");
    expect(objects["logging-loki"].inputs.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe("10Gi");
  });

  test("network: deny by default; Fluent Bit out to Loki, the API server and DNS only; Loki in from Fluent Bit and Grafana only", () => {
    const policies = Object.fromEntries(rec.byType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => [r.name, r.inputs.spec]));
    expect(policies["logging-policy-default-deny"]).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const fbPolicy = policies["logging-policy-fluent-bit"];
    expect(fbPolicy.egress).toHaveLength(3);
    expect(fbPolicy.egress[0]).toEqual({ to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "loki", "app.kubernetes.io/instance": "logging" } } }], ports: [{ protocol: "TCP", port: 3100 }] });
    expect(fbPolicy.egress[1].ports.map((p: any) => p.port)).toEqual([443, 6443]);
    expect(fbPolicy.egress[1].to[0].ipBlock.except).toContain("169.254.169.254/32");
    const lokiPolicy = policies["logging-policy-loki"];
    expect(lokiPolicy.egress).toEqual([]);
    expect(lokiPolicy.ingress[1].from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"]).toBe("monitoring");
  });
});

describe("kubernetes, external Elasticsearch with a password", () => {
  beforeEach(() => rec.clear());
  test("password only in a Secret referenced by env; TLS; egress to the sink port; no Loki", async () => {
    new LogPipeline("logging", { ...ES, sinkPassword: pulumi.secret(PASSWORD) }, ctxFor("staging", "kubernetes"));
    await settle();
    expect(leaks(rec)).toEqual([]);
    const secret = rec.one("kubernetes:core/v1:Secret");
    expect(isSecretValue(secret.inputs.stringData) || isSecretValue(secret.inputs.stringData.password)).toBe(true);
    expect(rec.byType("kubernetes:apps/v1:StatefulSet")).toEqual([]);
    const c = rec.one("kubernetes:apps/v1:DaemonSet").inputs.spec.template.spec.containers[0];
    expect(c.env).toEqual([{ name: "LOG_SINK_PASSWORD", valueFrom: { secretKeyRef: { name: "logging-sink", key: "password" } } }]);
    const fb = parse(rec.one("kubernetes:core/v1:ConfigMap").inputs.data["fluent-bit.yaml"]);
    expect(fb.pipeline.outputs[0]).toMatchObject({
      name: "es", host: "es.example.com", port: 9200, tls: "on", "tls.verify": "on",
      http_user: "shipper", http_passwd: "${LOG_SINK_PASSWORD}", logstash_prefix: "potato-chat", suppress_type_name: "on",
    });
    const script = rec.one("kubernetes:core/v1:ConfigMap").inputs.data["mask.lua"];
    expect(script).toContain('"idcard"');
    expect(script).toContain('"sk_live_%w+"');
    const egress = rec.byType("kubernetes:networking.k8s.io/v1:NetworkPolicy").find((p) => p.name === "logging-policy-fluent-bit")!.inputs.spec.egress;
    expect(egress[0].ports).toEqual([{ protocol: "TCP", port: 9200 }]);
    expect(logDatasource(ES, ctxFor("staging", "kubernetes"))).toBeUndefined();
  });
});

describe("docker", () => {
  beforeEach(() => rec.clear());
  test("Fluent Bit reads the engine's json-file logs read-only and ships to a Loki container; password as secret env", async () => {
    new LogPipeline("logging", { masking: { cardNumbers: false } }, ctxFor("dev", "docker"));
    await settle();
    const fb = rec.one("docker:index/container:Container", "logging-fluent-bit").inputs;
    expect(fb.volumes).toContainEqual({ hostPath: "/var/lib/docker/containers", containerPath: "/var/lib/docker/containers", readOnly: true });
    expect(fb.capabilities.drops).toEqual(["ALL"]);
    expect(fb.securityOpts).toEqual(["no-new-privileges:true"]);
    expect(fb.ports).toBeUndefined();
    const files = Object.fromEntries(fb.uploads.map((u: any) => [u.file, u.content]));
    const conf = parse(files["/fluent-bit/etc/fluent-bit.yaml"]);
    expect(conf.pipeline.inputs[0].path).toBe("/var/lib/docker/containers/*/*-json.log");
    expect(conf.pipeline.filters.map((f: any) => f.name)).toEqual(["parser", "lua", "modify"]);
    expect(conf.pipeline.outputs[0]).toMatchObject({ name: "loki", host: "loki", port: 3100 });
    expect(files["/fluent-bit/etc/mask.lua"]).toContain("local MASK_CARDS = false");
    const loki = rec.one("docker:index/container:Container", "logging-loki").inputs;
    expect(loki.networksAdvanced[0].aliases).toEqual(["loki"]);
    expect(parse(loki.uploads[0].content).limits_config.retention_period).toBe("168h");
    expect(logDatasource({}, ctxFor("dev", "docker"))).toMatchObject({ type: "loki", uid: "loki", url: "http://loki:3100" });
  });

  test("external OpenSearch: the password reaches the container only as a secret env", async () => {
    new LogPipeline("logging", { sink: { type: "opensearch", url: "https://os.example.com", user: "shipper" }, sinkPassword: pulumi.secret(PASSWORD) }, ctxFor("dev", "docker"));
    await settle();
    expect(leaks(rec)).toEqual([]);
    const fb = rec.one("docker:index/container:Container", "logging-fluent-bit").inputs;
    expect(isSecretValue(fb.envs[0])).toBe(true);
    expect(unwrapSecrets(fb.envs[0])).toBe(`LOG_SINK_PASSWORD=${PASSWORD}`);
    const conf = parse(fb.uploads[0].content);
    expect(conf.pipeline.outputs[0]).toMatchObject({ name: "opensearch", host: "os.example.com", port: 443, tls: "on" });
    expect(rec.byType("docker:index/container:Container").map((c) => c.name)).toEqual(["logging-fluent-bit"]);
  });
});

describe("validateLogPipelineArgs", () => {
  beforeEach(() => rec.clear());
  test("accepts the defaults and an external sink", () => {
    expect(validateLogPipelineArgs("logging", {}, ctxFor("dev", "kubernetes")).retentionDays).toBe(7);
    expect(validateLogPipelineArgs("logging", { ...ES, sinkPassword: "x" }, ctxFor("dev", "kubernetes")).sink.type).toBe("elasticsearch");
  });

  test("reports every problem with its key path before registering anything", async () => {
    let error: unknown;
    try {
      new LogPipeline(
        "logging",
        {
          sink: { type: "elasticsearch", url: "http://user:pw@es.example.com:9200", indexPrefix: "Bad Prefix", tenant: "t" },
          masking: { keys: ["x"], patterns: [".*"] },
          retentionDays: 0,
          storageSize: "lots",
          namespace: "platform",
          images: { fluentBit: "fluent/fluent-bit:latest" },
        },
        ctxFor("prod", "kubernetes"),
      );
    } catch (e) {
      error = e;
    }
    await settle();
    expect(rec.resources).toEqual([]);
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as Error).message;
    expect(message).toContain("sink.url: must use https");
    expect(message).toContain("sink.url: must not carry credentials");
    expect(message).not.toContain("user:pw");
    expect(message).toContain("sink.indexPrefix: must be a lowercase index name prefix");
    expect(message).toContain("sink.tenant: applies to an external Loki");
    expect(message).toContain('masking.keys[0]: must be a field name fragment');
    expect(message).toContain('masking.patterns[0]: can match the empty string');
    expect(message).toContain("retentionDays: must be a whole number of days");
    expect(message).toContain("storageSize: must be a volume size");
    expect(message).toContain("namespace: must differ from the workload namespace");
    expect(message).toContain("images.fluentBit: must be pinned");
  });

  test("a sink password needs a user and vice versa; elasticsearch needs a url; retention only for the installed Loki", () => {
    const ctx = ctxFor("dev", "kubernetes");
    expect(() => validateLogPipelineArgs("l", { sink: { type: "opensearch" } }, ctx)).toThrow("sink.url: is required for opensearch");
    expect(() => validateLogPipelineArgs("l", { sink: { type: "loki", url: "https://loki.example.com", user: "u" } }, ctx)).toThrow("sink.user: needs the password secret too");
    expect(() => validateLogPipelineArgs("l", { sink: { type: "loki", url: "https://loki.example.com" }, sinkPassword: "p" }, ctx)).toThrow("sink.user: is required when a password secret is given");
    expect(() => validateLogPipelineArgs("l", { sink: { type: "loki", url: "https://loki.example.com" }, retentionDays: 7 }, ctx)).toThrow("retentionDays: applies to the Loki this module installs");
    expect(() => validateLogPipelineArgs("l", { sink: { type: "splunk" as never } }, ctx)).toThrow("sink.type: must be one of loki, elasticsearch, opensearch");
  });
});
