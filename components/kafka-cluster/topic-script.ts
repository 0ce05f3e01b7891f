import type { ResolvedTopic } from "./validate";
import { retentionMs } from "./target";

/** Where the Kafka command-line tools live in the apache/kafka image. */
export const KAFKA_BIN = "/opt/kafka/bin";

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Topic-level settings a declared topic carries (`--config` of kafka-topics, `--add-config` of kafka-configs). */
export function topicConfigs(topic: ResolvedTopic): string[] {
  return [
    `retention.ms=${retentionMs(topic.retentionHours)}`,
    `cleanup.policy=${topic.cleanupPolicy}`,
    ...(topic.minInSyncReplicas !== undefined ? [`min.insync.replicas=${topic.minInSyncReplicas}`] : []),
  ];
}

/**
 * The topic plan as a POSIX shell script run with the Kafka CLI (`kafka-topics.sh`, `kafka-configs.sh`):
 * waits for the broker, creates each missing topic, adds partitions up to the declared count (they never
 * shrink: a smaller count is reported, not applied) and sets retention, cleanup policy and min.insync.replicas
 * in place. Idempotent: a second run changes nothing. Reads the bootstrap address, user and password from the
 * environment (KAFKA_BOOTSTRAP, KAFKA_USERNAME, KAFKA_PASSWORD); the password is written only into a 0600 client
 * config under /tmp, never onto a command line. No secret is part of this text.
 */
export function topicPlanScript(topics: ResolvedTopic[], mechanism: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512" = "PLAIN", tls = false): string {
  const module = mechanism === "PLAIN" ? "org.apache.kafka.common.security.plain.PlainLoginModule" : "org.apache.kafka.common.security.scram.ScramLoginModule";
  const lines = [
    "set -eu",
    "umask 077",
    `bin="\${KAFKA_BIN:-${KAFKA_BIN}}"`,
    'config="${TMPDIR:-/tmp}/client.properties"',
    `printf 'security.protocol=${tls ? "SASL_SSL" : "SASL_PLAINTEXT"}\\nsasl.mechanism=${mechanism}\\nsasl.jaas.config=${module} required username="%s" password="%s";\\n' "$KAFKA_USERNAME" "$KAFKA_PASSWORD" > "$config"`,
    'kafka() { tool=$1; shift; "$bin/$tool" --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$config" "$@"; }',
    "attempts=0",
    "until kafka kafka-broker-api-versions.sh > /dev/null 2>&1; do",
    "  attempts=$((attempts + 1))",
    '  if [ "$attempts" -ge 60 ]; then echo "Kafka at $KAFKA_BOOTSTRAP is not reachable after 5 minutes" >&2; exit 1; fi',
    "  sleep 5",
    "done",
    "partition_count() {",
    "  kafka kafka-topics.sh --describe --topic \"$1\" 2> /dev/null | sed -n 's/.*PartitionCount: *\\([0-9][0-9]*\\).*/\\1/p' | head -n 1",
    "}",
    "ensure_topic() {",
    '  topic=$1; partitions=$2; replication=$3; configs=$4',
    '  current=$(partition_count "$topic")',
    '  if [ -z "$current" ]; then',
    '    set --',
    '    for c in $(echo "$configs" | tr "," " "); do set -- "$@" --config "$c"; done',
    '    kafka kafka-topics.sh --create --if-not-exists --topic "$topic" --partitions "$partitions" --replication-factor "$replication" "$@"',
    '    echo "created topic $topic ($partitions partitions, replication factor $replication)"',
    "    return",
    "  fi",
    '  if [ "$current" -lt "$partitions" ]; then',
    '    kafka kafka-topics.sh --alter --topic "$topic" --partitions "$partitions"',
    '    echo "topic $topic: partitions $current -> $partitions"',
    '  elif [ "$current" -gt "$partitions" ]; then',
    '    echo "topic $topic has $current partitions, more than the $partitions declared; partitions never shrink (left as is)" >&2',
    "  fi",
    '  kafka kafka-configs.sh --alter --entity-type topics --entity-name "$topic" --add-config "$configs" > /dev/null',
    '  echo "topic $topic: settings $configs"',
    "}",
    ...topics.map((t) => `ensure_topic ${quote(t.name)} ${t.partitions} ${t.replicationFactor ?? 1} ${quote(topicConfigs(t).join(","))}`),
  ];
  return lines.join("\n") + "\n";
}
