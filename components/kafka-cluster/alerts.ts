import type { AlertRule, RuleGroup } from "../lib/alerts";
import type { KafkaThresholds } from "./args";

/**
 * Pure alert-rule builders for a Kafka cluster watched by danielqsj/kafka_exporter. Series and labels are the
 * exporter's: `kafka_brokers` (brokers in the cluster metadata, i.e. the live ones), `kafka_topic_partition_*`
 * per topic and partition, `kafka_consumergroup_lag` per consumer group, topic and partition (-1 while a group
 * has no committed offset for a partition). Every rule is scoped to one cluster by the exporter's scrape job.
 */
export interface KafkaAlertInput {
  /** Cluster (component) name, added as the `kafka` label. */
  kafka: string;
  /** Prometheus `job` of the exporter scrape. */
  job: string;
  thresholds: KafkaThresholds;
  /** Brokers the cluster should have; fewer in the metadata means a broker is down. Omit where the service hides them. */
  expectedBrokers?: number;
}

/** Every alert name a Kafka cluster can emit (for runbook inventories). */
export const KAFKA_ALERTS = [
  "KafkaExporterDown",
  "KafkaBrokerDown",
  "KafkaOfflinePartitions",
  "KafkaUnderReplicatedPartitions",
  "KafkaConsumerGroupLag",
] as const;

export function kafkaAlertRules(input: KafkaAlertInput): RuleGroup[] {
  const { kafka, job, thresholds } = input;
  const sel = `job="${job}"`;
  const by = "by (job, instance)";
  const labels = { kafka };
  const rules: AlertRule[] = [
    {
      alert: "KafkaExporterDown",
      for: "5m",
      severity: "critical",
      summary: `Kafka ${kafka} cannot be watched`,
      description: `kafka_exporter for ${kafka} has been down or unscraped for 5 minutes. It exits when it cannot reach or authenticate to any broker, so the cluster itself may be unreachable; every other Kafka alert is blind meanwhile.`,
      // A crash-looping exporter drops out of the Service endpoints: no `up` series at all counts as down too.
      expr: `max ${by} (up{${sel}}) == 0 or absent(up{${sel}})`,
      labels,
    },
    {
      alert: "KafkaUnderReplicatedPartitions",
      for: "5m",
      severity: "warning",
      summary: `Kafka ${kafka} has under-replicated partitions`,
      description: `{{ $value | printf "%.0f" }} partitions of topic {{ $labels.topic }} on ${kafka} have fewer in-sync replicas than replicas; one more broker failure can make them unavailable or lose acknowledged writes.`,
      expr: `sum by (job, instance, topic) (kafka_topic_partition_under_replicated_partition{${sel}}) > 0`,
      labels,
    },
    {
      alert: "KafkaOfflinePartitions",
      for: "1m",
      severity: "critical",
      summary: `Kafka ${kafka} has partitions without a leader`,
      description: `{{ $value | printf "%.0f" }} partitions of topic {{ $labels.topic }} on ${kafka} have no leader: producers and consumers of those partitions fail.`,
      // The exporter reports no leader series for a partition whose leader is unavailable.
      expr: `count by (job, instance, topic) (kafka_topic_partition_replicas{${sel}} unless on (job, instance, topic, partition) kafka_topic_partition_leader{${sel}}) > 0`,
      labels,
    },
    ...(["warning", "critical"] as const).map(
      (severity): AlertRule => ({
        alert: "KafkaConsumerGroupLag",
        for: "10m",
        severity,
        summary: `Kafka ${kafka} consumer group {{ $labels.consumergroup }} is falling behind`,
        description: `Consumer group {{ $labels.consumergroup }} is {{ $value | printf "%.0f" }} messages behind on topic {{ $labels.topic }} of ${kafka} (threshold ${thresholds.consumerLagMessages[severity]}).`,
        // -1 marks a partition without a committed offset, not lag.
        expr: `sum by (job, instance, consumergroup, topic) (kafka_consumergroup_lag{${sel}} >= 0) > ${thresholds.consumerLagMessages[severity]}`,
        labels: { ...labels, severity },
      }),
    ),
  ];
  if (input.expectedBrokers !== undefined) {
    rules.splice(1, 0, {
      alert: "KafkaBrokerDown",
      for: "2m",
      severity: "critical",
      summary: `A broker of Kafka ${kafka} is down`,
      description: `Only {{ $value | printf "%.0f" }} of ${input.expectedBrokers} brokers of ${kafka} are in the cluster metadata; partitions led there move or go offline, and replication factor ${Math.min(3, input.expectedBrokers)} topics run without headroom.`,
      expr: `max ${by} (kafka_brokers{${sel}}) < ${input.expectedBrokers}`,
      labels,
    });
  }
  return [{ name: `${kafka}-kafka`, rules }];
}
