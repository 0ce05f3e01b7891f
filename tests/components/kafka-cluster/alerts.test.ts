import * as fs from "fs";
import * as path from "path";
import { DEFAULT_KAFKA_THRESHOLDS, KAFKA_ALERTS, kafkaAlertRules, kafkaDashboard } from "../../../components/kafka-cluster";
import { alertRules } from "../../../components/lib/alerts";

const REPO = path.resolve(__dirname, "../../..");
const JOB = "events-kafka-exporter";

describe("Kafka alert rules (pure)", () => {
  const groups = kafkaAlertRules({ kafka: "events", job: JOB, thresholds: DEFAULT_KAFKA_THRESHOLDS, expectedBrokers: 3 });
  const rules = alertRules(groups);

  test("emits every documented alert, each scoped to the cluster's exporter job and labelled with the cluster", () => {
    expect([...new Set(rules.map((r) => r.alert))].sort()).toEqual([...KAFKA_ALERTS].sort());
    for (const r of rules) {
      expect(r.expr).toContain(`job="${JOB}"`);
      expect(r.labels?.kafka).toBe("events");
    }
  });

  test("thresholds reach the expressions; without a known broker count there is no broker-down rule", () => {
    const custom = alertRules(kafkaAlertRules({ kafka: "events", job: JOB, thresholds: { consumerLagMessages: { warning: 50, critical: 500 } } }));
    expect(custom.filter((r) => r.alert === "KafkaConsumerGroupLag").map((r) => r.expr.split(" > ").pop())).toEqual(["50", "500"]);
    expect(custom.map((r) => r.alert)).not.toContain("KafkaBrokerDown");
  });

  test("every Kafka alert has a runbook", () => {
    const missing = KAFKA_ALERTS.filter((a) => !fs.existsSync(path.join(REPO, "docs/runbooks", `${a}.md`)));
    expect(missing).toEqual([]);
    expect(fs.existsSync(path.join(REPO, "docs/runbooks", "KafkaNoSuchAlert.md"))).toBe(false);
  });

  test("the dashboard reads the exporter's series of this cluster only", () => {
    const d = kafkaDashboard({ kafka: "events", job: JOB });
    const exprs: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") for (const [key, x] of Object.entries(v)) key === "expr" && typeof x === "string" ? exprs.push(x) : walk(x);
    };
    walk(d.model);
    expect(exprs.length).toBeGreaterThanOrEqual(8);
    for (const e of exprs) expect(e).toContain(`job="${JOB}"`);
    expect(JSON.stringify(d.model)).toContain("kafka_consumergroup_lag");
    expect(JSON.stringify(d.model)).toContain("kafka_topic_partition_under_replicated_partition");
  });
});
