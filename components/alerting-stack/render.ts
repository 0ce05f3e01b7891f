import { alertRules, toPrometheusRuleFile, type PrometheusRuleFile, type RuleGroup } from "../lib/alerts";
import type { MonitoredService } from "../lib/contracts";
import type { Dashboard, MonitoringBundle } from "../lib/monitoring";
import type { Target } from "../lib/platform";
import { applyDurations, familiesOf, type DurationOverrides } from "./durations";
import { overviewDashboard } from "./dashboards/overview";
import { serviceDashboard } from "./dashboards/service";
import { buildAlertmanagerConfig, type AlertRoutes } from "./routes";
import type { AlertGrouping } from "./grouping";
import type { Receiver } from "./receivers";
import { builtInRules, customRules, sloRules, type CustomRule } from "./rules";
import { resolveThresholds, type AlertThresholds, type ThresholdOverrides } from "./thresholds";

export interface RenderInput {
  environment: string;
  target: Target;
  runbookBaseUrl: string;
  thresholds?: ThresholdOverrides;
  /** `for` per alert family, built-in or from a bundle. */
  durations?: DurationOverrides;
  customRules?: ReadonlyArray<CustomRule>;
  services?: ReadonlyArray<MonitoredService>;
  bundles: Record<string, MonitoringBundle>;
  receivers: ReadonlyArray<Receiver>;
  routes: AlertRoutes;
  /** group_by and timings of the routes. @default DEFAULT_GROUPING */
  grouping?: AlertGrouping;
  /** Directory Alertmanager reads receiver secret files from. */
  secretDir: string;
}

/** Everything the AlertingStack provisions, as plain data (no resources). */
export interface RenderedAlerting {
  thresholds: AlertThresholds;
  /** Rule groups by source: `builtin`, `custom`, `slo`, then one per monitoring bundle. */
  ruleSources: Record<string, RuleGroup[]>;
  /** Prometheus rule files by source (what each PrometheusRule spec / rule file contains). */
  ruleFiles: Record<string, PrometheusRuleFile>;
  /** alertmanager.yml as an object. WeChat secrets appear as placeholders only. */
  alertmanagerConfig: Record<string, unknown>;
  dashboards: Dashboard[];
}

/** Every built-in rule group a stack on `target` can have (SLO groups of a sample service included). */
function allBuiltIns(target: Target): RuleGroup[] {
  const sample: MonitoredService = { name: "x", namespace: "x", kind: "api", job: "x", objectives: { availabilityPercent: 99.9, latency: { thresholdSeconds: 1, percent: 99 } } };
  return [...builtInRules(resolveThresholds(undefined), target, [sample]), ...sloRules([sample])];
}

/** Names of the alerts the library defines itself (their runbooks live in docs/runbooks/). */
export function builtInAlertNames(target: Target = "kubernetes"): Set<string> {
  return new Set(alertRules(allBuiltIns(target)).map((r) => r.alert));
}

/** Built-in alert families on `target` and their levels: the keys `durations` accepts. */
export function builtInAlertFamilies(target: Target = "kubernetes") {
  return familiesOf(allBuiltIns(target));
}

export function renderAlerting(input: RenderInput): RenderedAlerting {
  const thresholds = resolveThresholds(input.thresholds);
  const ruleSources: Record<string, RuleGroup[]> = {
    builtin: applyDurations(builtInRules(thresholds, input.target, input.services ?? []), input.durations),
  };
  if (input.customRules && input.customRules.length > 0) ruleSources.custom = customRules(input.customRules);
  const slo = applyDurations(sloRules(input.services ?? []), input.durations);
  if (slo.length > 0) ruleSources.slo = slo;
  for (const [source, bundle] of Object.entries(input.bundles)) {
    if (bundle.ruleGroups.length > 0) ruleSources[source] = applyDurations(bundle.ruleGroups, input.durations);
  }
  const ruleFiles = Object.fromEntries(
    Object.entries(ruleSources).map(([source, groups]) => [source, toPrometheusRuleFile(groups, input.runbookBaseUrl)]),
  );
  const dashboards = [
    overviewDashboard(thresholds, input.services ?? []),
    ...(input.services ?? []).map(serviceDashboard),
    ...Object.values(input.bundles).flatMap((b) => b.dashboards),
  ];
  return {
    thresholds,
    ruleSources,
    ruleFiles,
    alertmanagerConfig: buildAlertmanagerConfig({
      environment: input.environment,
      receivers: input.receivers,
      routes: input.routes,
      secretDir: input.secretDir,
      ...(input.grouping ? { grouping: input.grouping } : {}),
    }),
    dashboards,
  };
}
