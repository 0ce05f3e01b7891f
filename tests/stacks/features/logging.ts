import { parse } from "yaml";
import { isSecretValue, plaintextStrings, unwrapSecrets } from "../../helpers/mocks";
import { stackError } from "../../helpers/stack";
import { DEV_SECRETS } from "../fixtures";
import { ES_PASSWORD, type FeatureStacks } from "./stacks";

/** platform:logging end to end: config -> plan -> LogPipeline, Grafana datasource, secrets. */
export function describeLogging(stacks: FeatureStacks): void {
  describe("logging on Kubernetes (staging stack, external Elasticsearch)", () => {
    test("builds the pipeline from config; the sink password stays secret; no Loki datasource", () => {
      const { recorder } = stacks.staging;
      const ds = recorder.one("kubernetes:apps/v1:DaemonSet", "logging-daemon-set");
      expect(ds.inputs.metadata.namespace).toBe("logging");
      const conf = parse(recorder.one("kubernetes:core/v1:ConfigMap", "logging-config").inputs.data["fluent-bit.yaml"]);
      expect(conf.pipeline.outputs[0]).toMatchObject({ name: "es", logstash_prefix: "paimon", http_passwd: "${LOG_SINK_PASSWORD}" });
      const secret = recorder.one("kubernetes:core/v1:Secret", "logging-sink-secret");
      expect(isSecretValue(secret.inputs.stringData) || isSecretValue(secret.inputs.stringData.password)).toBe(true);
      const leaks = recorder.resources.flatMap((r) => plaintextStrings(r.inputs).filter((s) => s.value.includes(ES_PASSWORD)).map((s) => `${r.name} ${s.path}`));
      expect(leaks).toEqual([]);
      const values = unwrapSecrets(recorder.one("kubernetes:helm.sh/v3:Release", "alerting-chart").inputs.values);
      expect(values.grafana.additionalDataSources).toBeUndefined();
    });
  });

  describe("logging on Docker (dev stack, installed Loki)", () => {
    test("Fluent Bit and Loki containers; Loki in Grafana; retention from the dev profile", () => {
      const { recorder } = stacks.dev;
      const loki = recorder.one("docker:index/container:Container", "logging-loki");
      expect(parse(loki.inputs.uploads[0].content).limits_config.retention_period).toBe("72h");
      recorder.one("docker:index/container:Container", "logging-fluent-bit");
      const grafana = recorder.one("docker:index/container:Container", "alerting-grafana");
      const provisioning = grafana.inputs.uploads.find((u: any) => u.file.endsWith("datasources/prometheus.yml"));
      expect(parse(provisioning.content).datasources).toContainEqual(expect.objectContaining({ name: "Loki", type: "loki", uid: "loki", url: "http://loki:3100" }));
      // Its alert reaches Prometheus, which scrapes Fluent Bit on the backend network.
      const prometheus = recorder.one("docker:index/container:Container", "alerting-prometheus");
      const uploads = prometheus.inputs.uploads.map((u: any) => String(u.content)).join("\n");
      expect(uploads).toContain("alert: LogShipperDroppingLogs");
      expect(uploads).toContain("fluent-bit:2020");
    });
  });

  describe("bad logging config fails before anything is registered, naming the key path", () => {
    test("a value of the wrong type names its key path", async () => {
      const message = await stackError(
        "dev",
        {
          logging: {
            enabled: true,
            sink: { type: "elasticsearch", url: "http://es.example.com:9200", passwordSecret: "esPassword" },
            masking: { patterns: ["(unclosed"], cardNumbers: "yes" },
            retentionDays: 5,
            storageSize: "10Gi",
          },
        },
        { secrets: { ...DEV_SECRETS, esPassword: ES_PASSWORD } },
      );
      expect(message).toContain("platform:logging.masking.cardNumbers");
      expect(message).not.toContain(ES_PASSWORD);
    });

    test("plan problems with key paths and values", async () => {
      const message = await stackError(
        "dev",
        {
          logging: {
            enabled: true,
            sink: { type: "elasticsearch", url: "http://es.example.com:9200", passwordSecret: "esPassword" },
            masking: { patterns: ["(unclosed"] },
            retentionDays: 5,
            storageSize: "10Gi",
          },
        },
        { secrets: { ...DEV_SECRETS, esPassword: ES_PASSWORD } },
      );
      expect(message).toContain('platform:logging.sink.url: must use https: logs leave the cluster encrypted (got "http://es.example.com:9200")');
      expect(message).toContain("platform:logging.sink.user: is required when a password secret is given");
      expect(message).toContain('platform:logging.masking.patterns[0]: has a \'(\' without its \')\' (got "(unclosed")');
      expect(message).toContain("platform:logging.retentionDays: applies to the installed Loki only");
      expect(message).toContain("platform:logging.storageSize: applies to the kubernetes target only");
    });

    test("a missing sink password secret is reported at the setting that names it", async () => {
      const message = await stackError("dev", { logging: { enabled: true, sink: { type: "opensearch", url: "https://os.example.com", user: "u", passwordSecret: "osPassword" } } }, { secrets: DEV_SECRETS });
      expect(message).toContain("platform:osPassword");
      expect(message).toContain("platform:logging.sink.passwordSecret");
    });

    test("an unknown sink type and an unknown key", async () => {
      const message = await stackError("dev", { logging: { enabled: true, sink: { type: "splunk" }, retention: 3 } }, { secrets: DEV_SECRETS });
      expect(message).toContain("platform:logging.sink.type: must be one of loki, elasticsearch, opensearch");
      expect(message).toMatch(/platform:logging\.retention: .*unknown key|platform:logging: .*retention/);
    });
  });
}
