import { alertFamily, alertRules, SEVERITY_PRIORITY, toPrometheusRuleFile, type AlertRule } from "../../../components/lib/alerts";
import { DEFAULT_KAFKA_THRESHOLDS, KAFKA_ALERTS, kafkaAlertRules } from "../../../components/kafka-cluster";
import { promtoolCheckRules, promtoolTestRules, renderAlertTemplate, type PromtoolTestGroup } from "../../helpers/tools";

/**
 * The Kafka rules under the real promtool: each alert fires on the series danielqsj/kafka_exporter emits for the
 * failure (names and labels from its collector: kafka_brokers, kafka_topic_partition_{replicas,leader,
 * under_replicated_partition}{topic,partition}, kafka_consumergroup_lag{consumergroup,topic,partition}) and stays
 * silent on a healthy cluster.
 */

const BASE_URL = "https://runbooks.example.org/";
const JOB = "events-kafka-exporter";
const INSTANCE = "10.0.1.7:9308";
const groups = kafkaAlertRules({ kafka: "events", job: JOB, thresholds: DEFAULT_KAFKA_THRESHOLDS, expectedBrokers: 3 });
const ruleFile = toPrometheusRuleFile(groups, BASE_URL);
const rules = alertRules(groups);

const k = (metric: string, extra = "") => `${metric}{job="${JOB}",instance="${INSTANCE}"${extra}}`;
const BASE = { job: JOB, instance: INSTANCE };

interface Expected {
  severity: "warning" | "critical";
  labels: Record<string, string>;
  value: number;
}
interface Case {
  alert: string;
  title: string;
  series: Array<{ series: string; values: string }>;
  evalTime: string;
  expect: Expected[];
}

/** One topic of three partitions as the exporter reports it: replicas, leaders, under-replication flags. */
function topic(name: string, opts: { leaderless?: number[]; underReplicated?: number[] } = {}) {
  return [0, 1, 2].flatMap((p) => [
    { series: k("kafka_topic_partition_replicas", `,topic="${name}",partition="${p}"`), values: "3x20" },
    ...(opts.leaderless?.includes(p) ? [] : [{ series: k("kafka_topic_partition_leader", `,topic="${name}",partition="${p}"`), values: `${p + 1}x20` }]),
    { series: k("kafka_topic_partition_under_replicated_partition", `,topic="${name}",partition="${p}"`), values: opts.underReplicated?.includes(p) ? "1x20" : "0x20" },
  ]);
}
const lag = (group: string, t: string, perPartition: number[]) =>
  perPartition.map((v, p) => ({ series: k("kafka_consumergroup_lag", `,consumergroup="${group}",topic="${t}",partition="${p}"`), values: `${v}x20` }));

const CASES: Case[] = [
  { alert: "KafkaExporterDown", title: "target down", series: [{ series: k("up"), values: "0x10" }], evalTime: "6m", expect: [{ severity: "critical", labels: BASE, value: 0 }] },
  { alert: "KafkaExporterDown", title: "target gone (crash-looping exporter out of the endpoints)", series: [{ series: `up{job="other"}`, values: "1x10" }], evalTime: "6m", expect: [{ severity: "critical", labels: { job: JOB }, value: 1 }] },
  { alert: "KafkaExporterDown", title: "scraped", series: [{ series: k("up"), values: "1x10" }], evalTime: "6m", expect: [] },
  { alert: "KafkaBrokerDown", title: "2 of 3 brokers in the metadata", series: [{ series: k("kafka_brokers"), values: "3 3 2x10" }], evalTime: "6m", expect: [{ severity: "critical", labels: BASE, value: 2 }] },
  { alert: "KafkaBrokerDown", title: "a broker restart shorter than 2 minutes", series: [{ series: k("kafka_brokers"), values: "3 2 3x10" }], evalTime: "6m", expect: [] },
  { alert: "KafkaBrokerDown", title: "all 3 brokers", series: [{ series: k("kafka_brokers"), values: "3x10" }], evalTime: "6m", expect: [] },
  {
    alert: "KafkaOfflinePartitions",
    title: "two partitions without a leader",
    series: [...topic("orders", { leaderless: [0, 2] }), ...topic("payments")],
    evalTime: "5m",
    expect: [{ severity: "critical", labels: { ...BASE, topic: "orders" }, value: 2 }],
  },
  { alert: "KafkaOfflinePartitions", title: "every partition led", series: [...topic("orders"), ...topic("payments")], evalTime: "5m", expect: [] },
  {
    alert: "KafkaUnderReplicatedPartitions",
    title: "one partition under-replicated for 10 minutes",
    series: [...topic("orders", { underReplicated: [1] }), ...topic("payments")],
    evalTime: "10m",
    expect: [{ severity: "warning", labels: { ...BASE, topic: "orders" }, value: 1 }],
  },
  { alert: "KafkaUnderReplicatedPartitions", title: "in sync", series: [...topic("orders"), ...topic("payments")], evalTime: "10m", expect: [] },
  {
    alert: "KafkaConsumerGroupLag",
    title: "5000 behind is a warning",
    series: lag("billing", "orders", [2000, 2000, 1000]),
    evalTime: "15m",
    expect: [{ severity: "warning", labels: { ...BASE, consumergroup: "billing", topic: "orders" }, value: 5000 }],
  },
  {
    alert: "KafkaConsumerGroupLag",
    title: "30000 behind is critical (and warning)",
    series: lag("billing", "orders", [10000, 10000, 10000]),
    evalTime: "15m",
    expect: [
      { severity: "warning", labels: { ...BASE, consumergroup: "billing", topic: "orders" }, value: 30000 },
      { severity: "critical", labels: { ...BASE, consumergroup: "billing", topic: "orders" }, value: 30000 },
    ],
  },
  {
    alert: "KafkaConsumerGroupLag",
    title: "-1 (no committed offset) is not lag; 900 is within the threshold",
    series: [...lag("billing", "orders", [300, 300, 300]), ...lag("new-group", "orders", [-1, -1, -1])],
    evalTime: "15m",
    expect: [],
  },
];

function rule(alert: string, severity: string): AlertRule {
  const found = rules.find((r) => r.alert === alert && r.severity === severity);
  if (!found) throw new Error(`no ${severity} rule ${alert}`);
  return found;
}

function testGroup(c: Case): PromtoolTestGroup {
  return {
    name: `${c.alert}: ${c.title}`,
    interval: "1m",
    input_series: c.series,
    alert_rule_test: [
      {
        eval_time: c.evalTime,
        alertname: c.alert,
        exp_alerts: c.expect.map((e) => {
          const r = rule(c.alert, e.severity);
          return {
            exp_labels: { ...e.labels, ...r.labels, severity: e.severity, priority: SEVERITY_PRIORITY[e.severity], alert_family: alertFamily(r) },
            exp_annotations: { summary: renderAlertTemplate(r.summary, e.labels, e.value), description: renderAlertTemplate(r.description, e.labels, e.value), runbook_url: `${BASE_URL}${c.alert}.md` },
          };
        }),
      },
    ],
  };
}

describe("Kafka alert rules under promtool", () => {
  test("promtool check rules accepts the generated rule file", () => {
    expect(promtoolCheckRules(ruleFile)).toMatch(/SUCCESS: \d+ rules found/);
  });

  test("every alert has a firing and a silent case; two-level alerts fire at both levels", () => {
    for (const alert of KAFKA_ALERTS) {
      const cases = CASES.filter((c) => c.alert === alert);
      expect({ alert, fires: cases.some((c) => c.expect.length > 0), silent: cases.some((c) => c.expect.length === 0) }).toEqual({ alert, fires: true, silent: true });
    }
    expect(CASES.some((c) => c.alert === "KafkaConsumerGroupLag" && c.expect.some((e) => e.severity === "critical"))).toBe(true);
  });

  test("promtool test rules: each alert fires on the exporter's failure series and stays silent on a healthy cluster", () => {
    expect(promtoolTestRules(ruleFile, CASES.map(testGroup))).toMatch(/SUCCESS/);
  });

  test("a broken expectation is reported by promtool (the harness can fail)", () => {
    expect(() => promtoolTestRules(ruleFile, [testGroup({ ...CASES[0], expect: [] })])).toThrow(/FAILED/);
  });
});
