import type { z } from "zod";
import * as alerting from "./sections/alerting";
import * as backups from "./sections/backups";
import * as databases from "./sections/databases";
import * as dockerEdge from "./sections/docker-edge";
import * as foundation from "./sections/foundation";
import * as kafka from "./sections/kafka";
import * as logging from "./sections/logging";
import * as tracing from "./sections/tracing";
import * as services from "./sections/services";
import { rootSchema } from "./config";

/**
 * Every top-level `platform:*` key and the zod schema that validates it, grouped the way the README's config
 * reference presents them. This list is the one source of truth for:
 *   - which keys a stack may set (`KNOWN_KEYS` in ./plan.ts: anything else that is not a referenced secret is an error),
 *   - the README config reference and the editor JSON Schema (`npm run docs`, ./config-reference.ts).
 * A new top-level key goes into a section's schema and into this list; its documentation lives in the schema
 * (`.describe("meaning. Default: ... Example: ...")`).
 */
export interface ConfigGroup {
  /** Heading in the README reference. */
  title: string;
  /** One paragraph under the heading (markdown). */
  intro: string;
  /** Top-level key (without `platform:`) -> schema of its value. */
  keys: Record<string, z.ZodType>;
}

export const CONFIG_GROUPS: readonly ConfigGroup[] = [
  {
    title: "Root",
    intro: "Where and as what the stack runs. `environment` selects the profile in `stacks/profiles.ts` whose defaults every section below falls back to.",
    keys: rootSchema.shape,
  },
  {
    title: "services",
    intro:
      "AppServices (`components/app-service/`). Each service is `serviceDefaults`, then its `template` (from `serviceTemplates`), then its own settings, merged in that order; what is still left out takes the environment profile's defaults.",
    keys: {
      [services.SECTION_KEY]: services.schema,
      [services.DEFAULTS_KEY]: services.defaultsSchema,
      [services.TEMPLATES_KEY]: services.templatesSchema,
      [services.SHARED_ENV_KEY]: services.sharedEnvSchema,
    },
  },
  {
    title: "databases",
    intro:
      "MonitoredDatabases (`components/monitored-database/`). The target follows the platform: Docker containers in dev, RDS/ElastiCache on AWS, RDS/KVStore on Alibaba Cloud.",
    keys: { [databases.SECTION_KEY]: databases.schema },
  },
  {
    title: "kafka",
    intro:
      "KafkaClusters (`components/kafka-cluster/`) and their topics. The target follows the platform like the databases': one KRaft broker container on Docker, Amazon MSK on AWS, ApsaraMQ for Kafka on Alibaba Cloud.",
    keys: { [kafka.SECTION_KEY]: kafka.schema },
  },
  {
    title: "backups",
    intro: "BackupJobs (`components/backup-job/`): logical dumps to a bucket or local volume, a restore test, and the RPO/RTO check against the database's native backups.",
    keys: { [backups.KEY]: backups.schema },
  },
  {
    title: "alerting",
    intro: "AlertingStack (`components/alerting-stack/`): receivers, severity routes, thresholds, business alerts and the Prometheus installation.",
    keys: { [alerting.SECTION_KEY]: alerting.schema },
  },
  {
    title: "logging",
    intro:
      "The log pipeline (`components/log-pipeline/`): Fluent Bit on every node (a container on Docker) parses JSON logs, adds pod metadata, masks secrets and ships to Loki (installed and added to Grafana by default) or an external Elasticsearch/OpenSearch. Off unless enabled.",
    keys: { [logging.SECTION_KEY]: logging.schema },
  },
  {
    title: "tracing",
    intro:
      "The trace pipeline (`components/trace-pipeline/`): an OpenTelemetry Collector (OTLP in, memory limiter, tail or probabilistic sampling, batch) in front of Jaeger v2 (Badger storage with a TTL, added to Grafana). When enabled every service gets the OTLP endpoint and its service name in its env. Off unless enabled.",
    keys: { [tracing.SECTION_KEY]: tracing.schema },
  },
  {
    title: "dockerEdge",
    intro:
      "The Docker target's edge proxy (`components/edge-proxy/`): one hardened nginx container in front of every service with an `ingress`. " +
      "Hosts, paths, rate limits and headers come from `services[].ingress`, as on Kubernetes; gRPC routes (`services[].extraPorts[].route`) are proxied with `grpc_pass` " +
      "(HTTP/2 to the container, one location per named gRPC service, nginx's own errors answered as gRPC statuses UNAVAILABLE/RESOURCE_EXHAUSTED). " +
      "This section holds the TLS certificates (as secrets) and the ports. Required as soon as a service has an ingress or a gRPC route on Docker.",
    keys: { [dockerEdge.SECTION_KEY]: dockerEdge.schema },
  },
  {
    title: "network, cluster, edge",
    intro: "The cloud foundation (`components/foundation/`). Read on the Kubernetes target only; the Docker target builds none of it.",
    keys: { network: foundation.networkSchema, cluster: foundation.clusterSchema, edge: foundation.edgeSchema },
  },
];

/** Every top-level key a stack may set (besides secrets referenced by other settings), in reference order. */
export const CONFIG_KEYS: readonly string[] = CONFIG_GROUPS.flatMap((g) => Object.keys(g.keys));
