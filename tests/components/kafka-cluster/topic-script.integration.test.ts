import * as fs from "fs";
import * as path from "path";
import { topicPlanScript, validateKafkaClusterArgs } from "../../../components/kafka-cluster";
import { requireTool, run, tempDir } from "../../helpers/tools";
import { platformContext } from "./fixtures";

/**
 * The topic plan script (Docker target) under shellcheck, then run by a real POSIX shell against stand-ins of the
 * Kafka CLI that keep topics as files: it creates missing topics with their settings, only ever adds partitions,
 * updates settings in place, is idempotent, and never puts the password on a command line.
 */

const resolved = validateKafkaClusterArgs(
  "events",
  {
    target: "docker",
    version: "3.9.1",
    topics: [
      { name: "orders", partitions: 6, retentionHours: 24 },
      { name: "orders.audit", cleanupPolicy: "compact" },
    ],
  },
  platformContext("dev", "none"),
);

/** Stand-ins for kafka-topics.sh / kafka-configs.sh / kafka-broker-api-versions.sh: state in $STATE, calls in $STATE/calls. */
const STUB = `#!/bin/sh
set -eu
tool=$(basename "$0")
echo "$tool $*" >> "$STATE/calls"
config=""; topic=""; partitions=""; action=""; entity=""; add=""
while [ $# -gt 0 ]; do
  case "$1" in
    --command-config) config=$2; shift 2 ;;
    --bootstrap-server) shift 2 ;;
    --topic) topic=$2; shift 2 ;;
    --entity-name) entity=$2; shift 2 ;;
    --partitions) partitions=$2; shift 2 ;;
    --add-config) add=$2; shift 2 ;;
    --config) echo "$2" >> "$STATE/pending-config"; shift 2 ;;
    --create|--describe|--alter) action=$1; shift ;;
    *) shift ;;
  esac
done
grep -q 'password="s3cret-pw"' "$config" || { echo "no credentials in $config" >&2; exit 3; }
case "$tool" in
  kafka-broker-api-versions.sh) exit 0 ;;
  kafka-topics.sh)
    case "$action" in
      --describe) [ -f "$STATE/topic-$topic" ] || { echo "Topic '$topic' does not exist" >&2; exit 1; }
        printf 'Topic: %s\\tTopicId: x\\tPartitionCount: %s\\tReplicationFactor: 1\\n' "$topic" "$(cat "$STATE/topic-$topic")" ;;
      --create) echo "$partitions" > "$STATE/topic-$topic"; mv "$STATE/pending-config" "$STATE/config-$topic" ;;
      --alter) echo "$partitions" > "$STATE/topic-$topic" ;;
    esac ;;
  kafka-configs.sh) echo "$add" | tr ',' '\\n' > "$STATE/config-$entity" ;;
esac
`;

describe("Kafka topic plan script", () => {
  const script = topicPlanScript(resolved.topics, "PLAIN");

  test("shellcheck (POSIX sh) finds nothing", () => {
    requireTool("shellcheck", "shellcheck");
    const { dir, cleanup } = tempDir("topic-script");
    try {
      fs.writeFileSync(path.join(dir, "plan.sh"), script);
      expect(run("shellcheck", ["-s", "sh", path.join(dir, "plan.sh")])).toBe("");
    } finally {
      cleanup();
    }
  });

  test("creates, grows, updates in place, is idempotent and never shrinks", () => {
    const { dir, cleanup } = tempDir("topic-plan");
    try {
      const bin = path.join(dir, "bin");
      const state = path.join(dir, "state");
      fs.mkdirSync(bin);
      fs.mkdirSync(state);
      for (const tool of ["kafka-topics.sh", "kafka-configs.sh", "kafka-broker-api-versions.sh"]) {
        fs.writeFileSync(path.join(bin, tool), STUB, { mode: 0o755 });
      }
      const env = { KAFKA_BIN: bin, STATE: state, TMPDIR: dir, KAFKA_BOOTSTRAP: "events-kafka:9092", KAFKA_USERNAME: "app", KAFKA_PASSWORD: "s3cret-pw" };
      const first = run("sh", ["-c", script], { env });
      expect(first).toContain("created topic orders (6 partitions, replication factor 1)");
      expect(fs.readFileSync(path.join(state, "topic-orders"), "utf8").trim()).toBe("6");
      expect(fs.readFileSync(path.join(state, "config-orders"), "utf8").trim().split("\n")).toEqual(["retention.ms=86400000", "cleanup.policy=delete", "min.insync.replicas=1"]);
      expect(fs.readFileSync(path.join(state, "config-orders.audit"), "utf8")).toContain("cleanup.policy=compact");
      // The client config holding the password is private to the container user.
      expect(fs.statSync(path.join(dir, "client.properties")).mode & 0o077).toBe(0);

      // Second run: nothing created, settings re-applied, partitions unchanged.
      const second = run("sh", ["-c", script], { env });
      expect(second).not.toContain("created");
      expect(fs.readFileSync(path.join(state, "topic-orders"), "utf8").trim()).toBe("6");

      // More partitions declared: added. Fewer: reported, left as is.
      const grown = topicPlanScript([{ ...resolved.topics[0], partitions: 9, retentionHours: 48 }], "PLAIN");
      expect(run("sh", ["-c", grown], { env })).toContain("topic orders: partitions 6 -> 9");
      expect(fs.readFileSync(path.join(state, "config-orders"), "utf8")).toContain("retention.ms=172800000");
      const shrunk = topicPlanScript([{ ...resolved.topics[0], partitions: 3 }], "PLAIN");
      const out = run("sh", ["-c", `exec 2>&1\n${shrunk}`], { env });
      expect(out).toContain("topic orders has 9 partitions, more than the 3 declared; partitions never shrink");
      expect(fs.readFileSync(path.join(state, "topic-orders"), "utf8").trim()).toBe("9");

      // The password never reached a command line.
      expect(fs.readFileSync(path.join(state, "calls"), "utf8")).not.toContain("s3cret-pw");
    } finally {
      cleanup();
    }
  });

  test("an unreachable broker fails the plan with a message instead of hanging", () => {
    const { dir, cleanup } = tempDir("topic-plan-down");
    try {
      const bin = path.join(dir, "bin");
      fs.mkdirSync(bin);
      fs.writeFileSync(path.join(bin, "kafka-broker-api-versions.sh"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
      // sleep is shadowed so the 60 attempts take no time.
      fs.writeFileSync(path.join(bin, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
      const env = { KAFKA_BIN: bin, TMPDIR: dir, PATH: `${bin}:${process.env.PATH}`, KAFKA_BOOTSTRAP: "events-kafka:9092", KAFKA_USERNAME: "app", KAFKA_PASSWORD: "x" };
      expect(() => run("sh", ["-c", script], { env })).toThrow(/Kafka at events-kafka:9092 is not reachable after 5 minutes/);
    } finally {
      cleanup();
    }
  });
});
