import { alertFamily, alertRules, SEVERITY_PRIORITY, toPrometheusRuleFile } from "../../../components/lib/alerts";
import { DEFAULT_REDIS_THRESHOLDS, redisAlertRules } from "../../../components/monitored-database";
import { promtoolCheckRules, promtoolTestRules, type PromtoolTestGroup } from "../../helpers/tools";

/**
 * Shard-aware Redis alerts under promtool: a cluster's nodes are scraped one by one through redis_exporter with
 * `shard` and `node` labels (ServiceMonitor relabelings). One shard near maxmemory, or one shard's primary without its
 * replica, fires for that shard only, naming it; the healthy shards stay silent.
 */
const BASE_URL = "https://runbooks.example.org/";
const JOB = "cache-redis-exporter";
const groups = redisAlertRules({ database: "cache", job: JOB, thresholds: DEFAULT_REDIS_THRESHOLDS, persistence: false, expectedReplicas: 1, sharded: true });
const ruleFile = toPrometheusRuleFile(groups, BASE_URL);
const rules = alertRules(groups);

const host = (node: string) => `cache-rg-${node}.cache-rg.abc123.use1.cache.amazonaws.com`;
const NODES = ["0001-001", "0001-002", "0002-001", "0002-002", "0003-001", "0003-002"];
const sel = (node: string) => `job="${JOB}",instance="${host(node)}",shard="${node.slice(0, 4)}",node="${node}"`;

/** Memory of every node: `hot` nodes at 97 % of maxmemory, the rest at 40 %. */
function memory(hot: string[]) {
  return NODES.flatMap((n) => [
    { series: `redis_memory_used_bytes{${sel(n)}}`, values: `${hot.includes(n) ? 970 : 400}x20` },
    { series: `redis_memory_max_bytes{${sel(n)}}`, values: "1000x20" },
  ]);
}
/** Roles and links: each shard's -001 is its primary with `replicas[shard]` replicas connected. */
function replication(replicas: Record<string, number>) {
  return NODES.flatMap((n) => {
    const primary = n.endsWith("-001");
    return [
      { series: `redis_instance_info{${sel(n)},role="${primary ? "master" : "slave"}"}`, values: "1x20" },
      ...(primary ? [{ series: `redis_connected_slaves{${sel(n)}}`, values: `${replicas[n.slice(0, 4)] ?? 1}x20` }] : [{ series: `redis_master_link_up{${sel(n)}}`, values: "1x20" }]),
    ];
  });
}

function expected(alert: string, severity: "warning" | "critical", labels: Record<string, string>, description: string, summary?: string) {
  const r = rules.find((x) => x.alert === alert && x.severity === severity)!;
  return {
    exp_labels: { ...labels, ...r.labels, severity, priority: SEVERITY_PRIORITY[severity], alert_family: alertFamily(r) },
    exp_annotations: { summary: summary ?? r.summary, description, runbook_url: `${BASE_URL}${alert}.md` },
  };
}

const SHARD2 = { job: JOB, instance: host("0002-001"), shard: "0002" };
const TESTS: PromtoolTestGroup[] = [
  {
    name: "one shard near maxmemory fires for that shard only",
    interval: "1m",
    input_series: memory(["0002-001"]),
    alert_rule_test: [
      {
        eval_time: "10m",
        alertname: "RedisMemoryNearMax",
        exp_alerts: (["warning", "critical"] as const).map((s) =>
          expected(
            "RedisMemoryNearMax",
            s,
            SHARD2,
            `Redis cache shard 0002 (${host("0002-001")}) uses 97% of maxmemory; at 100% it evicts keys or rejects writes for the slots of that shard.`,
            "Redis cache shard 0002 memory is near maxmemory",
          ),
        ),
      },
    ],
  },
  {
    name: "every shard comfortable: silent",
    interval: "1m",
    input_series: memory([]),
    alert_rule_test: [{ eval_time: "10m", alertname: "RedisMemoryNearMax", exp_alerts: [] }],
  },
  {
    name: "shard 0003's primary lost its replica",
    interval: "1m",
    input_series: replication({ "0003": 0 }),
    alert_rule_test: [
      {
        eval_time: "10m",
        alertname: "RedisReplicationBroken",
        exp_alerts: [
          expected(
            "RedisReplicationBroken",
            "critical",
            { job: JOB, instance: host("0003-001"), shard: "0003" },
            rules.find((r) => r.alert === "RedisReplicationBroken")!.description,
          ),
        ],
      },
    ],
  },
  {
    name: "every shard replicated: silent",
    interval: "1m",
    input_series: replication({}),
    alert_rule_test: [{ eval_time: "10m", alertname: "RedisReplicationBroken", exp_alerts: [] }],
  },
];

describe("shard-aware Redis cluster alerts under promtool", () => {
  test("promtool check rules accepts the rule file", () => {
    expect(promtoolCheckRules(ruleFile)).toMatch(/SUCCESS/);
  });

  test("per-shard memory and replication alerts fire for the shard in trouble and stay silent otherwise", () => {
    expect(promtoolTestRules(ruleFile, TESTS)).toMatch(/SUCCESS/);
  });

  test("the harness can fail: a silent expectation on the hot shard is reported", () => {
    expect(() => promtoolTestRules(ruleFile, [{ ...TESTS[0], alert_rule_test: [{ eval_time: "10m", alertname: "RedisMemoryNearMax", exp_alerts: [] }] }])).toThrow(/FAILED/);
  });
});
