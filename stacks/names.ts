import { serviceDashboardUid } from "../components/alerting-stack/dashboards/service";
import { databaseDashboardUid } from "../components/monitored-database/dashboard";
import type { PlatformPlan } from "./plan";

const DASHBOARD_UID = /^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/;

/**
 * Identifiers derived from several settings (namespace + service name, database name + engine) that no single
 * schema can check: the Grafana dashboard uids the AlertingStack will provision. Checked while planning, naming
 * the settings they come from, so a clash fails before anything is registered instead of in the last component.
 */
export function derivedNameProblems(plan: Pick<PlatformPlan, "root" | "services" | "databases">): string[] {
  const namespace = plan.root.namespace;
  const uids = [
    ...plan.services
      .map((s, i) => ({ s, i }))
      .filter(({ s }) => s.args.metrics !== undefined)
      .map(({ s, i }) => ({
        uid: serviceDashboardUid({ namespace, name: s.name }),
        from: `platform:namespace and platform:services[${i}].name`,
      })),
    ...plan.databases.map((d, i) => ({
      uid: databaseDashboardUid({ database: d.name, engine: d.engine }),
      from: `platform:databases[${i}].name`,
    })),
    { uid: "platform-overview", from: "the built-in overview dashboard" },
  ];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const { uid, from } of uids) {
    if (!DASHBOARD_UID.test(uid)) problems.push(`${from}: give the dashboard uid "${uid}", which is not a DNS label of at most 40 characters`);
    const earlier = seen.get(uid);
    if (earlier !== undefined) problems.push(`${from}: give the dashboard uid "${uid}", already used by ${earlier}; rename one of them`);
    else seen.set(uid, from);
  }
  return problems;
}
