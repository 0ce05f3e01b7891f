import type * as pulumi from "@pulumi/pulumi";
import type { RuleGroup } from "./alerts";

/** A Grafana dashboard as a JSON model, built by a typed SDK, provisioned by the AlertingStack. */
export interface Dashboard {
  /** Stable uid (also the provisioned file / ConfigMap name). DNS-label characters only. */
  uid: string;
  title: string;
  /** Grafana folder the dashboard is provisioned into. */
  folder?: string;
  /** The dashboard JSON model. */
  model: Record<string, unknown>;
}

/** A static scrape target for the Docker target, where there is no ServiceMonitor discovery. */
export interface ScrapeTarget {
  job: string;
  /** `host:port` addresses reachable from the Prometheus container. */
  targets: pulumi.Input<string>[];
  metricsPath?: string;
  labels?: Record<string, string>;
}

/**
 * What a monitored component hands to the AlertingStack: its alert rules, dashboards and (on Docker)
 * scrape targets. "Monitoring travels with the thing monitored."
 */
export interface MonitoringBundle {
  ruleGroups: RuleGroup[];
  dashboards: Dashboard[];
  scrapeTargets: ScrapeTarget[];
}

export function emptyMonitoring(): MonitoringBundle {
  return { ruleGroups: [], dashboards: [], scrapeTargets: [] };
}

/** Concatenates bundles from several components. */
export function mergeMonitoring(...bundles: ReadonlyArray<MonitoringBundle | undefined>): MonitoringBundle {
  const out = emptyMonitoring();
  for (const b of bundles) {
    if (!b) continue;
    out.ruleGroups.push(...b.ruleGroups);
    out.dashboards.push(...b.dashboards);
    out.scrapeTargets.push(...b.scrapeTargets);
  }
  return out;
}
